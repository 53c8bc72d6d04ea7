package amalgam.engine.ops;

import amalgam.engine.Function;
import amalgam.engine.Tensor;

import java.util.Arrays;

/** Layer normalisation over the last axis with optional elementwise affine (gamma, beta), on fused kernels. */
public final class LayerNorm {

    private LayerNorm() {}

    /** {@code (x − mean)/√(var + eps) · gamma + beta} per row of the last axis; gamma and beta may be null. */
    public static Tensor layerNorm(Tensor x, Tensor gamma, Tensor beta, double eps) {
        return new Normalize(eps).forward(x, gamma, beta);
    }

    static final class Normalize extends Function {
        private final float eps;
        private Tensor x, gamma, beta, mean, rstd;

        Normalize(double eps) {
            this.eps = (float) eps;
        }

        Tensor forward(Tensor x, Tensor gamma, Tensor beta) {
            int cols = x.dim(-1);
            for (Tensor p : new Tensor[] {gamma, beta}) {
                if (p != null && (p.rank() != 1 || p.dim(0) != cols || !p.isContiguous() || p.dtype() != x.dtype())) {
                    throw new IllegalArgumentException("layer norm parameters must be contiguous vectors of " + cols
                            + " " + x.dtype() + " elements, got " + Arrays.toString(p.shape()) + " " + p.dtype());
                }
            }
            this.x = Compute.contiguous(x);
            this.gamma = gamma;
            this.beta = beta;
            int rows = Math.toIntExact(x.numel() / cols);
            mean = Tensor.empty(x.dtype(), rows);
            rstd = Tensor.empty(x.dtype(), rows);
            Tensor y = Tensor.empty(x.dtype(), x.shape());
            x.backend().layerNormRows(rows, cols, eps, this.x.data(), this.x.offset(), Compute.at(gamma),
                    Compute.at(beta), y.data(), 0, mean.data(), rstd.data());
            return attachAll(y, x, gamma, beta);
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            int cols = x.dim(-1);
            int rows = Math.toIntExact(x.numel() / cols);
            Tensor dx = Tensor.empty(g.dtype(), g.shape());
            // The kernel adds into dgamma/dbeta, so they start from zero.
            Tensor dgamma = gamma != null && needsGrad(1) ? Tensor.zeros(g.dtype(), cols) : null;
            Tensor dbeta = beta != null && needsGrad(2) ? Tensor.zeros(g.dtype(), cols) : null;
            g.backend().layerNormBackwardRows(rows, cols, x.data(), x.offset(), mean.data(), rstd.data(),
                    Compute.at(gamma), g.data(), g.offset(), dx.data(), 0,
                    dgamma == null ? null : dgamma.data(), dbeta == null ? null : dbeta.data());
            return new Tensor[] {dx, dgamma, dbeta};
        }
    }
}
