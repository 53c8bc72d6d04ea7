package amalgam.engine.ops;

import amalgam.engine.Tensor;

import java.util.Arrays;

/**
 * Scaled dot-product attention with grouped-query heads and an optional causal mask, composed from matmul,
 * softmax and broadcasting, so its gradient is theirs.
 */
public final class Attention {

    private Attention() {}

    /**
     * softmax(q·kᵀ·scale + mask)·v for q [batch, heads, tokens, d] and k, v [batch, kvHeads, keys, d], where
     * heads is a multiple of kvHeads (each key/value head serves heads/kvHeads query heads, in order) and
     * keys ≥ tokens. With {@code causal}, query i sits at position keys − tokens + i and sees keys up to it
     * (the KV-cache case: earlier keys were computed before).
     */
    public static Tensor scaledDotProduct(Tensor q, Tensor k, Tensor v, double scale, boolean causal) {
        int batch = q.dim(0), heads = q.dim(1), tokens = q.dim(2), d = q.dim(3);
        int kvHeads = k.dim(1), keys = k.dim(2);
        if (heads % kvHeads != 0 || k.dim(0) != batch || k.dim(3) != d || !Arrays.equals(k.shape(), v.shape())
                || keys < tokens && causal) {
            throw new IllegalArgumentException("attention shapes do not fit: q " + Arrays.toString(q.shape())
                    + ", k " + Arrays.toString(k.shape()) + ", v " + Arrays.toString(v.shape()));
        }
        Tensor keysPerHead = repeatHeads(k, heads / kvHeads);
        Tensor valuesPerHead = repeatHeads(v, heads / kvHeads);
        Tensor scores = q.matmul(keysPerHead.mT()).mul(scale);
        if (causal) scores = scores.add(causalMask(q, tokens, keys));
        return scores.softmax(-1).matmul(valuesPerHead);
    }

    /** [batch, kvHeads, keys, d] → [batch, kvHeads·groups, keys, d], each head repeated groups times in place. */
    static Tensor repeatHeads(Tensor x, int groups) {
        if (groups == 1) return x;
        int batch = x.dim(0), kvHeads = x.dim(1), keys = x.dim(2), d = x.dim(3);
        return x.reshape(batch, kvHeads, 1, keys, d).expand(batch, kvHeads, groups, keys, d)
                .reshape(batch, kvHeads * groups, keys, d);
    }

    /** [tokens, keys]: 0 where query i may see key j (j ≤ keys − tokens + i), −∞ elsewhere. */
    static Tensor causalMask(Tensor like, int tokens, int keys) {
        double[] mask = new double[tokens * keys];
        int offset = keys - tokens;
        for (int i = 0; i < tokens; i++) {
            for (int j = offset + i + 1; j < keys; j++) mask[i * keys + j] = Double.NEGATIVE_INFINITY;
        }
        return Tensor.of(like.dtype(), mask, tokens, keys);
    }
}
