package amalgam.engine.nn;

import amalgam.engine.Tensor;

/** Root-mean-square normalisation over the last axis with a learned scale, as Llama's RMSNorm. */
public final class RmsNorm extends Module {

    private final Tensor weight;
    private final double eps;

    private RmsNorm(Tensor weight, double eps, boolean trainable) {
        this.weight = trainable ? parameter("weight", weight) : frozen("weight", weight);
        this.eps = eps;
    }

    /** A pretrained norm: its weight becomes a frozen parameter without a copy. */
    public static RmsNorm frozen(Tensor weight, double eps) {
        return new RmsNorm(weight, eps, false);
    }

    public Tensor weight() {
        return weight;
    }

    @Override
    public Tensor forward(Tensor x) {
        return amalgam.engine.ops.RmsNorm.rmsNorm(x, weight, eps);
    }
}
