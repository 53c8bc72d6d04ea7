package amalgam.engine.nn;

import amalgam.engine.Tensor;

import java.util.Arrays;

/**
 * One LoRA adapter's factors for a linear layer of weight [out, in]: A [r, in], B [out, r] and the scaling s
 * (α/r, or α/√r for rsLoRA). Its update to the layer's output is s·(x·Aᵀ)·Bᵀ; the dense B·A is formed only
 * to merge. {@link Linear} holds these by name; {@link MultiLoraLinear} serves several in one batch.
 */
public record Lora(Tensor a, Tensor b, double scaling) {

    public Lora {
        if (a.rank() != 2 || b.rank() != 2 || b.dim(1) != a.dim(0)) {
            throw new IllegalArgumentException("LoRA factors A " + Arrays.toString(a.shape()) + " and B "
                    + Arrays.toString(b.shape()) + " must be [r, in] and [out, r]");
        }
    }

    public int rank() {
        return a.dim(0);
    }

    /** Throws unless these factors fit a weight of shape [out, in]. */
    public void checkFits(Tensor weight) {
        if (a.dim(1) != weight.dim(1) || b.dim(0) != weight.dim(0)) {
            throw new IllegalArgumentException("LoRA factors A " + Arrays.toString(a.shape()) + " and B "
                    + Arrays.toString(b.shape()) + " do not fit a weight of shape " + Arrays.toString(weight.shape()));
        }
    }

    /** s·(x·Aᵀ)·Bᵀ; scaling the thin [tokens, r] intermediate is the cheapest place for s. */
    public Tensor update(Tensor x) {
        return x.matmul(a.mT()).mul(scaling).matmul(b.mT());
    }

    /** s·B·A, the dense update to the weight. */
    public Tensor delta() {
        return b.matmul(a).mul(scaling);
    }
}
