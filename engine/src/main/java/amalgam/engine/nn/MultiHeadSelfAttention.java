package amalgam.engine.nn;

import amalgam.engine.DType;
import amalgam.engine.Tensor;

import java.util.Random;

/**
 * Multi-head self-attention over [batch, tokens, dim]: one qkv projection (dim → 3·dim, with bias),
 * softmax(q·kᵀ/√d_head)·v per head, and an output projection (dim → dim).
 */
public final class MultiHeadSelfAttention extends Module {

    private final Linear qkv, proj;
    private final int heads, headDim;
    private final double scale;

    public MultiHeadSelfAttention(int dim, int heads, DType dtype, Random random) {
        if (dim % heads != 0) throw new IllegalArgumentException(dim + " is not divisible into " + heads + " heads");
        this.heads = heads;
        this.headDim = dim / heads;
        this.scale = 1.0 / Math.sqrt(headDim);
        this.qkv = child("qkv", new Linear(dim, 3 * dim, true, dtype, random));
        this.proj = child("proj", new Linear(dim, dim, true, dtype, random));
    }

    @Override
    public Tensor forward(Tensor x) {
        int batch = x.dim(0), tokens = x.dim(1), dim = x.dim(2);
        // [B, T, 3·D] → [3, B, H, T, d] in one copy, so q, k and v are each contiguous with a uniform batch
        // stride: every product below then reads them in place (kᵀ as a transpose flag).
        Tensor split = qkv.forward(x).reshape(batch, tokens, 3, heads, headDim).permute(2, 0, 3, 1, 4).contiguous();
        Tensor q = split.slice(0, 0, 1).reshape(batch, heads, tokens, headDim);
        Tensor k = split.slice(0, 1, 2).reshape(batch, heads, tokens, headDim);
        Tensor v = split.slice(0, 2, 3).reshape(batch, heads, tokens, headDim);
        Tensor attention = q.matmul(k.mT()).mul(scale).softmax(-1);
        Tensor mixed = attention.matmul(v).permute(0, 2, 1, 3).reshape(batch, tokens, dim);
        return proj.forward(mixed);
    }
}
