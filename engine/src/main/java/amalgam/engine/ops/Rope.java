package amalgam.engine.ops;

import amalgam.engine.Function;
import amalgam.engine.Tensor;

/**
 * Rotary position embedding in Hugging Face's rotate-half convention: the two halves of each head's vector
 * form the pairs that rotate, x·cos + rotateHalf(x)·sin, with rotateHalf(x) = [−x₂, x₁].
 */
public final class Rope {

    private Rope() {}

    /**
     * Rotates {@code x} of shape [..., tokens, headDim] by the angles whose cosines and sines are given as
     * [tokens, headDim] (each frequency written twice, once per half, as transformers' tables are). Runs on
     * the fused row kernel; tables of another shape, or that want a gradient themselves, take the composed
     * form.
     */
    public static Tensor rotate(Tensor x, Tensor cos, Tensor sin) {
        if (!fits(x, cos) || !fits(x, sin) || x.dim(-1) % 2 != 0) return composedRotate(x, cos, sin);
        return new Rotate().forward(x, cos, sin);
    }

    /** The twin of {@link #rotate} composed from primitives, which FusedVersusComposedTest holds it to. */
    static Tensor composedRotate(Tensor x, Tensor cos, Tensor sin) {
        int half = x.dim(-1) / 2;
        Tensor first = x.slice(-1, 0, half), second = x.slice(-1, half, 2 * half);
        Tensor rotated = Joins.concat(-1, second.neg(), first);
        return x.mul(cos).add(rotated.mul(sin));
    }

    /** A [tokens, headDim] table of x's dtype that needs no gradient. */
    private static boolean fits(Tensor x, Tensor table) {
        return x.rank() >= 2 && table.rank() == 2 && table.dim(0) == x.dim(-2) && table.dim(1) == x.dim(-1)
                && table.dtype() == x.dtype() && !table.requiresGrad();
    }

    static final class Rotate extends Function {
        private Tensor cos, sin;

        Tensor forward(Tensor x, Tensor cos, Tensor sin) {
            this.cos = Compute.contiguous(cos);
            this.sin = Compute.contiguous(sin);
            return attach(rotate(Compute.contiguous(x), this.cos, this.sin), x);
        }

        /**
         * y₁ = x₁c₁ − x₂s₁ and y₂ = x₂c₂ + x₁s₂, so dx₁ = g₁c₁ + g₂s₂ and dx₂ = g₂c₂ − g₁s₁: the same rotation of
         * g with −[s₂, s₁] for sin (for transformers' tables, whose halves are equal, simply −sin).
         */
        @Override
        protected Tensor[] backward(Tensor g) {
            int half = sin.dim(1) / 2;
            Tensor adjointSin = Joins.concat(-1, sin.slice(-1, half, 2 * half), sin.slice(-1, 0, half)).neg();
            return new Tensor[] {rotate(g, cos, Compute.contiguous(adjointSin))};
        }

        private static Tensor rotate(Tensor x, Tensor cos, Tensor sin) {
            int tokens = x.dim(-2), dim = x.dim(-1);
            Tensor out = Tensor.empty(x.dtype(), x.shape());
            x.backend().ropeRows(Math.toIntExact(x.numel() / dim), tokens, dim, x.data(), x.offset(), Compute.at(cos),
                    Compute.at(sin), out.data(), 0);
            return out;
        }
    }
}
