package amalgam.engine.nn;

import amalgam.engine.DType;
import amalgam.engine.Tensor;
import amalgam.engine.ops.Joins;

import java.util.List;
import java.util.Random;

/**
 * A small vision transformer for 28×28 grayscale images (72,074 parameters): 7×7 patches → 16 tokens of 49
 * values, a linear patch embedding to 64, a learned cls token and position embeddings (17×64), two pre-norm
 * blocks (4 heads of 16, MLP 64→128→64), a final LayerNorm on the cls token and a linear head to 10 classes.
 */
public final class TinyViT extends Module {

    public static final int IMAGE = 28, PATCH = 7, GRID = IMAGE / PATCH, TOKENS = GRID * GRID, DIM = 64;
    public static final int HEADS = 4, HIDDEN = 128, DEPTH = 2, CLASSES = 10;

    /** The qkv and output projections of both blocks: the Linear layers adapters attach to. */
    public static final List<String> ATTENTION_PROJECTIONS = List.of(
            "blocks.0.attn.qkv", "blocks.0.attn.proj", "blocks.1.attn.qkv", "blocks.1.attn.proj");

    private final Linear patchEmbedding, head;
    private final Tensor clsToken, positions;
    private final TransformerBlock[] blocks = new TransformerBlock[DEPTH];
    private final LayerNorm norm;

    public TinyViT(DType dtype, Random random) {
        this.patchEmbedding = child("patch_embed", new Linear(PATCH * PATCH, DIM, true, dtype, random));
        this.clsToken = parameter("cls_token", Init.normal(dtype, random, 0.02, 1, 1, DIM));
        this.positions = parameter("pos_embed", Init.normal(dtype, random, 0.02, 1, TOKENS + 1, DIM));
        for (int i = 0; i < DEPTH; i++) {
            blocks[i] = child("blocks." + i, new TransformerBlock(DIM, HEADS, HIDDEN, dtype, random));
        }
        this.norm = child("norm", new LayerNorm(DIM, dtype));
        this.head = child("head", new Linear(DIM, CLASSES, true, dtype, random));
    }

    /** Logits [batch, 10] for images given as [batch, 784] or [batch, 28, 28] (row-major pixels). */
    @Override
    public Tensor forward(Tensor images) {
        int batch = images.dim(0);
        Tensor patches = images.reshape(batch, GRID, PATCH, GRID, PATCH).permute(0, 1, 3, 2, 4)
                .reshape(batch, TOKENS, PATCH * PATCH);
        Tensor tokens = patchEmbedding.forward(patches);
        Tensor cls = clsToken.expand(batch, 1, DIM);
        Tensor x = Joins.concat(1, cls, tokens).add(positions);
        for (TransformerBlock block : blocks) x = block.forward(x);
        Tensor clsOut = x.slice(1, 0, 1).reshape(batch, DIM);
        return head.forward(norm.forward(clsOut));
    }
}
