package amalgam.engine.nn;

import amalgam.engine.DType;
import amalgam.engine.Tensor;

import java.util.Random;

/** Parameter initialisations with PyTorch's defaults, drawn from a caller-seeded generator. */
public final class Init {

    private Init() {}

    /**
     * PyTorch's Linear default (kaiming-uniform with a = √5): U(−1/√fanIn, 1/√fanIn), for weights and biases.
     */
    public static Tensor linearUniform(DType dtype, Random random, int fanIn, int... shape) {
        double bound = 1.0 / Math.sqrt(fanIn);
        return Tensor.rand(dtype, random, -bound, bound, shape);
    }

    /** N(0, std²) samples, as used for ViT tokens and position embeddings. */
    public static Tensor normal(DType dtype, Random random, double std, int... shape) {
        return Tensor.randn(dtype, random, shape).mul(std);
    }
}
