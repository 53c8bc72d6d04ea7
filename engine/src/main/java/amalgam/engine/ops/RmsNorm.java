package amalgam.engine.ops;

import amalgam.engine.Tensor;

/**
 * Root-mean-square normalisation over the last axis, as Llama's RMSNorm: x / √(mean(x²) + eps) · weight.
 * Composed from primitives, so its gradient is theirs.
 */
public final class RmsNorm {

    private RmsNorm() {}

    public static Tensor rmsNorm(Tensor x, Tensor weight, double eps) {
        Tensor meanSquare = x.square().mean(-1, true);
        return x.div(meanSquare.add(eps).sqrt()).mul(weight);
    }
}
