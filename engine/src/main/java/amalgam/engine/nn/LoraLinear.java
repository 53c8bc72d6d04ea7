package amalgam.engine.nn;

import amalgam.engine.Engine;
import amalgam.engine.Tensor;

import java.util.Random;

/**
 * A frozen linear layer W0 with a trainable low-rank update: y = x·W0ᵀ + s·(x·Aᵀ)·Bᵀ (+ b), A of shape
 * [r, in], B of shape [out, r], s = α/r (or α/√r for rsLoRA). The update B·A is never materialised in the
 * forward pass: the two thin products cost O(tokens·r·(in+out)) instead of O(in·out).
 *
 * <p>{@link #merge()} folds s·B·A into a copy of W0 for inference at the plain layer's cost; while merged,
 * A and B receive no gradients. {@link #unmerge()} returns to the factored form.
 */
public final class LoraLinear extends Module {

    private final Tensor weight, bias, loraA, loraB;
    private final double scaling;
    private Tensor merged;

    /** A new adapter as PEFT initialises it: A kaiming-uniform, B zero, so the layer starts equal to W0. */
    public LoraLinear(Tensor baseWeight, Tensor baseBias, int rank, double alpha, boolean rsLora, Random random) {
        this(baseWeight, baseBias,
                Init.linearUniform(baseWeight.dtype(), random, baseWeight.dim(1), rank, baseWeight.dim(1)),
                Tensor.zeros(baseWeight.dtype(), baseWeight.dim(0), rank),
                rsLora ? alpha / Math.sqrt(rank) : alpha / rank);
    }

    /** An adapter with given factors (loaded from a file, or for tests); A and B are trainable. */
    public LoraLinear(Tensor baseWeight, Tensor baseBias, Tensor a, Tensor b, double scaling) {
        int out = baseWeight.dim(0), in = baseWeight.dim(1), rank = a.dim(0);
        if (a.dim(1) != in || b.dim(0) != out || b.dim(1) != rank) {
            throw new IllegalArgumentException("LoRA factors A " + java.util.Arrays.toString(a.shape()) + " and B "
                    + java.util.Arrays.toString(b.shape()) + " do not fit a base weight of shape [" + out + ", " + in + "]");
        }
        this.weight = frozen("weight", baseWeight);
        this.bias = baseBias == null ? null : frozen("bias", baseBias);
        this.loraA = parameter("lora_A", a);
        this.loraB = parameter("lora_B", b);
        this.scaling = scaling;
    }

    public Tensor loraA() {
        return loraA;
    }

    public Tensor loraB() {
        return loraB;
    }

    public double scaling() {
        return scaling;
    }

    public boolean isMerged() {
        return merged != null;
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor y;
        if (merged != null) {
            y = x.matmul(merged.mT());
        } else {
            // Scaling the thin [tokens, r] intermediate is the cheapest place for s.
            Tensor low = x.matmul(loraA.mT()).mul(scaling);
            y = x.matmul(weight.mT()).add(low.matmul(loraB.mT()));
        }
        return bias == null ? y : y.add(bias);
    }

    /** s·B·A, the dense update this adapter applies to W0. */
    public Tensor deltaWeight() {
        return loraB.matmul(loraA).mul(scaling);
    }

    /** Switches to the merged form W0 + s·B·A (inference only). */
    public void merge() {
        try (var _ = Engine.noGrad()) {
            merged = weight.add(deltaWeight()).toPersistent();
        }
    }

    public void unmerge() {
        merged = null;
    }
}
