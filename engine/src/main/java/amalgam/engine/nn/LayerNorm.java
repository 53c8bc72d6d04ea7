package amalgam.engine.nn;

import amalgam.engine.DType;
import amalgam.engine.Tensor;

/** Layer normalisation over the last axis with a learned scale (ones) and shift (zeros); eps 1e-5. */
public final class LayerNorm extends Module {

    private final Tensor gamma;
    private final Tensor beta;
    private final double eps;

    public LayerNorm(int dim, DType dtype) {
        this.gamma = parameter("weight", Tensor.ones(dtype, dim));
        this.beta = parameter("bias", Tensor.zeros(dtype, dim));
        this.eps = 1e-5;
    }

    /** A frozen layer norm over given scale and shift (a checkpoint's), with the model's eps. */
    public LayerNorm(Tensor weight, Tensor bias, double eps) {
        this.gamma = frozen("weight", weight);
        this.beta = frozen("bias", bias);
        this.eps = eps;
    }

    @Override
    public Tensor forward(Tensor x) {
        return amalgam.engine.ops.LayerNorm.layerNorm(x, gamma, beta, eps);
    }
}
