package amalgam.engine.ops;

import amalgam.engine.Tensor;

/**
 * Rotary position embedding in Hugging Face's rotate-half convention: the two halves of each head's vector
 * form the pairs that rotate, x·cos + rotateHalf(x)·sin, with rotateHalf(x) = [−x₂, x₁].
 */
public final class Rope {

    private Rope() {}

    /**
     * Rotates {@code x} of shape [..., tokens, headDim] by the angles whose cosines and sines are given as
     * [tokens, headDim] (each frequency written twice, once per half, as transformers' tables are).
     */
    public static Tensor rotate(Tensor x, Tensor cos, Tensor sin) {
        int half = x.dim(-1) / 2;
        Tensor first = x.slice(-1, 0, half), second = x.slice(-1, half, 2 * half);
        Tensor rotated = Joins.concat(-1, second.neg(), first);
        return x.mul(cos).add(rotated.mul(sin));
    }
}
