package amalgam.engine.nn;

import amalgam.engine.DType;
import amalgam.engine.Engine;
import amalgam.engine.Tensor;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * y = x·Wᵀ + b over the last axis, W of shape [out, in] as in PyTorch, plus the output of every LoRA adapter
 * attached to it: y = x·Wᵀ + b + Σₖ sₖ·(x·Aₖᵀ)·Bₖᵀ. This is the one way an adapter attaches to a layer; the
 * factors are registered as PEFT names them ({@code lora_A.<adapter>.weight}, {@code lora_B.<adapter>.weight}).
 *
 * <p>{@link #merge()} folds every attached adapter into a copy of W (inference at the plain layer's cost),
 * {@link #unmerge()} goes back. Both are cases of {@link #useWeight}, which puts any tensor in W's place.
 */
public class Linear extends Module {

    private final Tensor weight;
    private final Tensor bias;
    private final Map<String, Lora> adapters = new LinkedHashMap<>();
    private Tensor weightInUse; // null: W and the unmerged adapters
    private boolean merged;

    /** A trainable layer initialised as PyTorch's Linear is. */
    public Linear(int in, int out, boolean bias, DType dtype, Random random) {
        this.weight = parameter("weight", Init.linearUniform(dtype, random, in, out, in));
        this.bias = bias ? parameter("bias", Init.linearUniform(dtype, random, in, out)) : null;
    }

    public Linear(int in, int out, Random random) {
        this(in, out, true, DType.F32, random);
    }

    /** A layer over given tensors (weight [out, in], bias [out] or null), trainable or frozen. */
    protected Linear(Tensor weight, Tensor bias, boolean trainable) {
        if (weight.rank() != 2 || bias != null && (bias.rank() != 1 || bias.dim(0) != weight.dim(0))) {
            throw new IllegalArgumentException("a linear layer needs weight [out, in] and bias [out], got "
                    + java.util.Arrays.toString(weight.shape())
                    + (bias == null ? "" : " and " + java.util.Arrays.toString(bias.shape())));
        }
        this.weight = trainable ? parameter("weight", weight) : frozen("weight", weight);
        this.bias = bias == null ? null : trainable ? parameter("bias", bias) : frozen("bias", bias);
    }

    /** A pretrained layer: its tensors become frozen parameters without a copy (nothing is initialised). */
    public static Linear frozen(Tensor weight, Tensor bias) {
        return new Linear(weight, bias, false);
    }

    public Tensor weight() {
        return weight;
    }

    public Tensor bias() {
        return bias;
    }

    public int inFeatures() {
        return weight.dim(1);
    }

    public int outFeatures() {
        return weight.dim(0);
    }

    /**
     * Attaches adapter {@code name} with factors A [r, in], B [out, r] and scaling s; A and B become trainable
     * parameters. Several adapters may be attached at once; their updates add up.
     */
    public void attachLora(String name, Tensor a, Tensor b, double scaling) {
        if (merged) throw new IllegalStateException("unmerge before attaching adapter '" + name + "'");
        if (adapters.containsKey(name)) throw new IllegalArgumentException("adapter '" + name + "' is already attached");
        new Lora(a, b, scaling).checkFits(weight);
        adapters.put(name, new Lora(parameter("lora_A." + name + ".weight", a),
                parameter("lora_B." + name + ".weight", b), scaling));
    }

    public void detachLora(String name) {
        if (merged) throw new IllegalStateException("unmerge before detaching adapter '" + name + "'");
        if (adapters.remove(name) == null) throw new IllegalArgumentException("no adapter '" + name + "' is attached");
        removeParameter("lora_A." + name + ".weight");
        removeParameter("lora_B." + name + ".weight");
    }

    /** The attached adapters by name, in the order they were attached. */
    public Map<String, Lora> adapters() {
        return Collections.unmodifiableMap(adapters);
    }

    /** Σₖ sₖ·Bₖ·Aₖ, the dense update the attached adapters apply to W (zeros when none are attached). */
    public Tensor deltaWeight() {
        Tensor delta = Tensor.zeros(weight.dtype(), weight.shape());
        for (Lora lora : adapters.values()) delta = delta.add(lora.delta());
        return delta;
    }

    /** Switches to W + Σₖ sₖ·Bₖ·Aₖ computed once (inference: the factors receive no gradients while merged). */
    public void merge() {
        try (var _ = Engine.noGrad()) {
            useWeight(weight.add(deltaWeight()).toPersistent());
        }
        merged = true;
    }

    /** Back to W and the factored adapters. */
    public void unmerge() {
        useWeight(null);
    }

    public boolean isMerged() {
        return merged;
    }

    /**
     * Computes with {@code replacement} in W's place (and without the factored adapters), or with W again when
     * it is null. The replacement may be a tensor computed in the graph of the current step, so gradients flow
     * into whatever it was made of: issue 13's learned merge coefficients set W0 + Σᵢ αᵢ·Δᵢ here each step.
     */
    public void useWeight(Tensor replacement) {
        if (replacement != null && !java.util.Arrays.equals(replacement.shape(), weight.shape())) {
            throw new IllegalArgumentException("a replacement weight of shape "
                    + java.util.Arrays.toString(replacement.shape()) + " for a weight of shape "
                    + java.util.Arrays.toString(weight.shape()));
        }
        weightInUse = replacement;
        merged = false;
    }

    /** {@link #useWeight} for a {@link WeightSubstitution}: returns what puts the layer back as it was. */
    Runnable substitute(Tensor replacement) {
        Tensor before = weightInUse;
        boolean wasMerged = merged;
        useWeight(replacement);
        return () -> {
            weightInUse = before;
            merged = wasMerged;
        };
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor y;
        if (weightInUse != null) {
            y = x.matmul(weightInUse.mT());
        } else {
            y = x.matmul(weight.mT()); // a transposed view: the GEMM reads W as stored
            for (Lora lora : adapters.values()) y = y.add(lora.update(x));
        }
        return bias == null ? y : y.add(bias);
    }
}
