package amalgam.engine.nn;

import amalgam.engine.DType;
import amalgam.engine.Tensor;

import java.util.Random;

/** y = x·Wᵀ + b over the last axis, W of shape [out, in] as in PyTorch. */
public final class Linear extends Module {

    private final Tensor weight;
    private final Tensor bias;

    public Linear(int in, int out, boolean bias, DType dtype, Random random) {
        this.weight = parameter("weight", Init.linearUniform(dtype, random, in, out, in));
        this.bias = bias ? parameter("bias", Init.linearUniform(dtype, random, in, out)) : null;
    }

    public Linear(int in, int out, Random random) {
        this(in, out, true, DType.F32, random);
    }

    /** A frozen layer over given weights (a checkpoint's), W [out, in] and b [out] or null. */
    public Linear(Tensor weight, Tensor bias) {
        this.weight = frozen("weight", weight);
        this.bias = bias == null ? null : frozen("bias", bias);
    }

    public Tensor weight() {
        return weight;
    }

    public Tensor bias() {
        return bias;
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor y = x.matmul(weight.mT()); // a transposed view: the GEMM reads W as stored
        return bias == null ? y : y.add(bias);
    }
}
