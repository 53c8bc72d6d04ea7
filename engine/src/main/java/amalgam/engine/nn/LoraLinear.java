package amalgam.engine.nn;

import amalgam.engine.Tensor;

import java.util.Random;

/**
 * A frozen linear layer W0 with one trainable adapter named {@value #ADAPTER}: a {@link Linear} built frozen
 * with {@link Linear#attachLora} done, kept for callers that train one adapter on one layer.
 */
public final class LoraLinear extends Linear {

    public static final String ADAPTER = "default";

    /** A new adapter as PEFT initialises it: A kaiming-uniform, B zero, so the layer starts equal to W0. */
    public LoraLinear(Tensor baseWeight, Tensor baseBias, int rank, double alpha, boolean rsLora, Random random) {
        this(baseWeight, baseBias,
                Init.linearUniform(baseWeight.dtype(), random, baseWeight.dim(1), rank, baseWeight.dim(1)),
                Tensor.zeros(baseWeight.dtype(), baseWeight.dim(0), rank),
                rsLora ? alpha / Math.sqrt(rank) : alpha / rank);
    }

    /** An adapter with given factors (loaded from a file, or for tests); A and B are trainable. */
    public LoraLinear(Tensor baseWeight, Tensor baseBias, Tensor a, Tensor b, double scaling) {
        super(baseWeight, baseBias, false);
        attachLora(ADAPTER, a, b, scaling);
    }

    private Lora lora() {
        return adapters().get(ADAPTER);
    }

    public Tensor loraA() {
        return lora().a();
    }

    public Tensor loraB() {
        return lora().b();
    }

    public double scaling() {
        return lora().scaling();
    }
}
