package amalgam.engine.nn;

import amalgam.engine.DType;
import amalgam.engine.Tensor;

import java.util.Random;

/** A pre-norm transformer block: x + MHSA(LN(x)), then x + MLP(LN(x)) with MLP = Linear → GELU → Linear. */
public final class TransformerBlock extends Module {

    private final LayerNorm norm1, norm2;
    private final MultiHeadSelfAttention attention;
    private final Linear fc1, fc2;

    public TransformerBlock(int dim, int heads, int hidden, DType dtype, Random random) {
        this.norm1 = child("norm1", new LayerNorm(dim, dtype));
        this.attention = child("attn", new MultiHeadSelfAttention(dim, heads, dtype, random));
        this.norm2 = child("norm2", new LayerNorm(dim, dtype));
        this.fc1 = child("fc1", new Linear(dim, hidden, true, dtype, random));
        this.fc2 = child("fc2", new Linear(hidden, dim, true, dtype, random));
    }

    @Override
    public Tensor forward(Tensor x) {
        x = x.add(attention.forward(norm1.forward(x)));
        return x.add(fc2.forward(fc1.forward(norm2.forward(x)).gelu()));
    }
}
