package amalgam.merge.textstudy;

import amalgam.engine.DType;
import amalgam.engine.Engine;
import amalgam.engine.Tensor;
import amalgam.engine.hub.TensorSource;

import java.util.Random;

/**
 * Fresh weights for a decoder trained from scratch, as transformers initialises a Llama: matrices and embeddings
 * N(0, 0.02²) (initializer_range), RMSNorm scales 1. Every tensor is persistent and trainable.
 */
final class InitialWeights implements TensorSource {

    private final Random random;

    InitialWeights(long seed) {
        this.random = new Random(seed);
    }

    @Override
    public boolean has(String name) {
        return !name.endsWith(".bias") && !name.equals("lm_head.weight"); // no biases; the head is tied
    }

    @Override
    public Tensor load(String name, int... shape) {
        try (var _ = Engine.noGrad(); var _ = Engine.step()) {
            Tensor t = name.endsWith("norm.weight") ? Tensor.ones(DType.F32, shape)
                    : Tensor.randn(DType.F32, random, shape).mul(0.02);
            return t.toPersistent();
        }
    }
}
