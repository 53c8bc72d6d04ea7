package amalgam.engine.ops;

import amalgam.engine.Function;
import amalgam.engine.Tensor;

import java.util.Arrays;

/** Root-mean-square normalisation over the last axis, as Llama's RMSNorm: x / √(mean(x²) + eps) · weight. */
public final class RmsNorm {

    private RmsNorm() {}

    /** On the fused row kernels; {@code weight} is a vector over the last axis. */
    public static Tensor rmsNorm(Tensor x, Tensor weight, double eps) {
        return new Normalize(eps).forward(x, weight);
    }

    /** The twin of {@link #rmsNorm} composed from primitives, which FusedVersusComposedTest holds it to. */
    static Tensor composedRmsNorm(Tensor x, Tensor weight, double eps) {
        Tensor meanSquare = x.square().mean(-1, true);
        return x.div(meanSquare.add(eps).sqrt()).mul(weight);
    }

    static final class Normalize extends Function {
        private final float eps;
        private Tensor x, weight, rstd;

        Normalize(double eps) {
            this.eps = (float) eps;
        }

        Tensor forward(Tensor x, Tensor weight) {
            int cols = x.dim(-1);
            if (weight.rank() != 1 || weight.dim(0) != cols || !weight.isContiguous() || weight.dtype() != x.dtype()) {
                throw new IllegalArgumentException("RMS norm weight must be a contiguous vector of " + cols + " "
                        + x.dtype() + " elements, got " + Arrays.toString(weight.shape()) + " " + weight.dtype());
            }
            this.x = Compute.contiguous(x);
            this.weight = weight;
            int rows = Math.toIntExact(x.numel() / cols);
            rstd = Tensor.empty(x.dtype(), rows);
            Tensor y = Tensor.empty(x.dtype(), x.shape());
            x.backend().rmsNormRows(rows, cols, eps, this.x.data(), this.x.offset(), Compute.at(weight), y.data(), 0,
                    rstd.data());
            return attachAll(y, x, weight);
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            int cols = x.dim(-1);
            int rows = Math.toIntExact(x.numel() / cols);
            Tensor dx = Tensor.empty(g.dtype(), g.shape());
            // The kernel adds into dweight, so it starts from zero.
            Tensor dweight = needsGrad(1) ? Tensor.zeros(g.dtype(), cols) : null;
            g.backend().rmsNormBackwardRows(rows, cols, x.data(), x.offset(), rstd.data(), Compute.at(weight),
                    g.data(), g.offset(), dx.data(), 0, dweight == null ? null : dweight.data());
            return new Tensor[] {dx, dweight};
        }
    }
}
