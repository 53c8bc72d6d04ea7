package amalgam.kernels.scalar;

import amalgam.kernels.MergeSweeps;
import amalgam.kernels.MergeSweepsDelegation;
import amalgam.kernels.Backend;
import amalgam.kernels.BinaryOp;
import amalgam.kernels.Precision;
import amalgam.kernels.ReduceOp;
import amalgam.kernels.UnaryOp;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * The reference {@link Backend}: plain loops, one element at a time, every value computed in double and
 * rounded once on store. Every other backend is tested equal to this one.
 *
 * <p>Its {@link Precision} decides what the segments hold: floats ({@link Precision#F32}, the contract of
 * {@link Backend}) or doubles ({@link Precision#F64}, for finite-difference gradient checks). Scalar
 * parameters (alpha, eps, fill values) stay float in both, as the interface declares them.
 */
public final class ScalarBackend implements Backend, MergeSweepsDelegation {

    private final Precision p;
    private final ScalarGemm gemm;
    private final ScalarMergeSweeps sweeps = new ScalarMergeSweeps(this);

    /** The fp32 reference. */
    public ScalarBackend() {
        this(Precision.F32);
    }

    public ScalarBackend(Precision precision) {
        this.p = precision;
        this.gemm = new ScalarGemm(precision);
    }

    public Precision precision() {
        return p;
    }

    @Override
    public String name() {
        return "scalar";
    }

    @Override
    public int threads() {
        return 1;
    }

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                     MemorySegment a, long aOffset, int lda, MemorySegment b, long bOffset, int ldb,
                     float beta, MemorySegment c, long cOffset, int ldc) {
        gemm.gemm(transA, transB, m, n, k, alpha, a, aOffset, lda, b, bOffset, ldb, beta, c, cOffset, ldc);
    }

    // ---- elementwise -------------------------------------------------------------------------------------

    @Override
    public void unary(UnaryOp op, long n, MemorySegment x, long xOffset, MemorySegment out, long outOffset) {
        for (long i = 0; i < n; i++) p.set(out, outOffset + i, op.apply(p.get(x, xOffset + i)));
    }

    @Override
    public void affine(long n, float scale, float shift, MemorySegment x, long xOffset,
                       MemorySegment out, long outOffset) {
        for (long i = 0; i < n; i++) p.set(out, outOffset + i, (double) scale * p.get(x, xOffset + i) + shift);
    }

    @Override
    public void binary(BinaryOp op, int[] shape, MemorySegment a, long aOffset, long[] aStrides,
                       MemorySegment b, long bOffset, long[] bStrides, MemorySegment out, long outOffset) {
        StridedWalk walk = new StridedWalk(shape, aStrides, bStrides);
        long count = walk.count();
        for (long i = 0; i < count; i++) {
            p.set(out, outOffset + i, op.apply(p.get(a, aOffset + walk.first()), p.get(b, bOffset + walk.second())));
            walk.advance();
        }
    }

    @Override
    public void copyStrided(int[] shape, MemorySegment src, long srcOffset, long[] srcStrides,
                            MemorySegment dst, long dstOffset) {
        StridedWalk walk = new StridedWalk(shape, srcStrides, new long[shape.length]);
        long count = walk.count();
        for (long i = 0; i < count; i++) {
            p.set(dst, dstOffset + i, p.get(src, srcOffset + walk.first()));
            walk.advance();
        }
    }

    @Override
    public void fill(long n, float value, MemorySegment out, long outOffset) {
        for (long i = 0; i < n; i++) p.set(out, outOffset + i, value);
    }

    // ---- reductions --------------------------------------------------------------------------------------

    @Override
    public void reduce(ReduceOp op, int outer, int axis, int inner, MemorySegment x, long xOffset,
                       MemorySegment out, long outOffset) {
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                long base = xOffset + (long) o * axis * inner + i;
                double acc = op == ReduceOp.MAX ? Double.NEGATIVE_INFINITY : 0.0;
                for (int a = 0; a < axis; a++) {
                    double v = p.get(x, base + (long) a * inner);
                    acc = op == ReduceOp.MAX ? Math.max(acc, v) : acc + v;
                }
                if (op == ReduceOp.MEAN) acc /= axis; // 0/0 = NaN for an empty axis, as ReduceOp says
                p.set(out, outOffset + (long) o * inner + i, acc);
            }
        }
    }

    // ---- row-wise normalisations --------------------------------------------------------------------------

    @Override
    public void softmaxRows(int rows, int cols, MemorySegment x, long xOffset, MemorySegment out, long outOffset) {
        for (int r = 0; r < rows; r++) {
            long xr = xOffset + (long) r * cols, or = outOffset + (long) r * cols;
            double max = rowMax(x, xr, cols);
            double sum = 0;
            for (int j = 0; j < cols; j++) sum += Math.exp(p.get(x, xr + j) - max);
            for (int j = 0; j < cols; j++) p.set(out, or + j, Math.exp(p.get(x, xr + j) - max) / sum);
        }
    }

    @Override
    public void logSoftmaxRows(int rows, int cols, MemorySegment x, long xOffset,
                               MemorySegment out, long outOffset) {
        for (int r = 0; r < rows; r++) {
            long xr = xOffset + (long) r * cols, or = outOffset + (long) r * cols;
            double max = rowMax(x, xr, cols);
            double sum = 0;
            for (int j = 0; j < cols; j++) sum += Math.exp(p.get(x, xr + j) - max);
            double logSum = Math.log(sum);
            for (int j = 0; j < cols; j++) p.set(out, or + j, p.get(x, xr + j) - max - logSum);
        }
    }

    private double rowMax(MemorySegment x, long start, int cols) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < cols; j++) max = Math.max(max, p.get(x, start + j));
        return max;
    }

    @Override
    public void softmaxBackwardRows(int rows, int cols, MemorySegment y, long yOffset, MemorySegment dy,
                                    long dyOffset, MemorySegment dx, long dxOffset) {
        for (int r = 0; r < rows; r++) {
            long yr = yOffset + (long) r * cols, dyr = dyOffset + (long) r * cols, dxr = dxOffset + (long) r * cols;
            double dot = 0;
            for (int j = 0; j < cols; j++) dot += p.get(dy, dyr + j) * p.get(y, yr + j);
            for (int j = 0; j < cols; j++) p.set(dx, dxr + j, p.get(y, yr + j) * (p.get(dy, dyr + j) - dot));
        }
    }

    @Override
    public void logSoftmaxBackwardRows(int rows, int cols, MemorySegment y, long yOffset, MemorySegment dy,
                                       long dyOffset, MemorySegment dx, long dxOffset) {
        for (int r = 0; r < rows; r++) {
            long yr = yOffset + (long) r * cols, dyr = dyOffset + (long) r * cols, dxr = dxOffset + (long) r * cols;
            double sum = 0;
            for (int j = 0; j < cols; j++) sum += p.get(dy, dyr + j);
            for (int j = 0; j < cols; j++) p.set(dx, dxr + j, p.get(dy, dyr + j) - Math.exp(p.get(y, yr + j)) * sum);
        }
    }

    @Override
    public void layerNormRows(int rows, int cols, float eps, MemorySegment x, long xOffset,
                              MemorySegment gamma, MemorySegment beta,
                              MemorySegment y, long yOffset, MemorySegment mean, MemorySegment rstd) {
        for (int r = 0; r < rows; r++) {
            long xr = xOffset + (long) r * cols, yr = yOffset + (long) r * cols;
            double mu = 0;
            for (int j = 0; j < cols; j++) mu += p.get(x, xr + j);
            mu /= cols;
            // Two passes: the variance of the centred values does not cancel catastrophically.
            double var = 0;
            for (int j = 0; j < cols; j++) {
                double d = p.get(x, xr + j) - mu;
                var += d * d;
            }
            var /= cols;
            double rs = 1.0 / Math.sqrt(var + eps);
            for (int j = 0; j < cols; j++) {
                double g = gamma == null ? 1.0 : p.get(gamma, j);
                double bt = beta == null ? 0.0 : p.get(beta, j);
                p.set(y, yr + j, (p.get(x, xr + j) - mu) * rs * g + bt);
            }
            if (mean != null) p.set(mean, r, mu);
            if (rstd != null) p.set(rstd, r, rs);
        }
    }

    @Override
    public void layerNormBackwardRows(int rows, int cols, MemorySegment x, long xOffset,
                                      MemorySegment mean, MemorySegment rstd, MemorySegment gamma,
                                      MemorySegment dy, long dyOffset, MemorySegment dx, long dxOffset,
                                      MemorySegment dgamma, MemorySegment dbeta) {
        // Parameter gradients are summed over all rows in double and added to the outputs once.
        double[] dgammaSum = new double[cols];
        double[] dbetaSum = new double[cols];
        for (int r = 0; r < rows; r++) {
            long xr = xOffset + (long) r * cols, dyr = dyOffset + (long) r * cols, dxr = dxOffset + (long) r * cols;
            double mu = p.get(mean, r), rs = p.get(rstd, r);
            // dx = rstd · (g − mean(g) − x̂ · mean(g · x̂)) with g = dy · gamma and x̂ the normalised input.
            double gSum = 0, gxSum = 0;
            for (int j = 0; j < cols; j++) {
                double xhat = (p.get(x, xr + j) - mu) * rs;
                double d = p.get(dy, dyr + j);
                double g = d * (gamma == null ? 1.0 : p.get(gamma, j));
                gSum += g;
                gxSum += g * xhat;
                dgammaSum[j] += d * xhat;
                dbetaSum[j] += d;
            }
            double gMean = gSum / cols, gxMean = gxSum / cols;
            for (int j = 0; j < cols; j++) {
                double xhat = (p.get(x, xr + j) - mu) * rs;
                double g = p.get(dy, dyr + j) * (gamma == null ? 1.0 : p.get(gamma, j));
                p.set(dx, dxr + j, rs * (g - gMean - xhat * gxMean));
            }
        }
        for (int j = 0; j < cols; j++) {
            if (dgamma != null) p.set(dgamma, j, p.get(dgamma, j) + dgammaSum[j]);
            if (dbeta != null) p.set(dbeta, j, p.get(dbeta, j) + dbetaSum[j]);
        }
    }

    @Override
    public void ropeRows(int rows, int tokens, int dim, MemorySegment x, long xOffset, MemorySegment cos,
                         MemorySegment sin, MemorySegment out, long outOffset) {
        int half = dim / 2;
        for (int r = 0; r < rows; r++) {
            long xr = xOffset + (long) r * dim, or = outOffset + (long) r * dim, tr = (long) (r % tokens) * dim;
            for (int j = 0; j < half; j++) {
                double x1 = p.get(x, xr + j), x2 = p.get(x, xr + j + half);
                p.set(out, or + j, x1 * p.get(cos, tr + j) - x2 * p.get(sin, tr + j));
                p.set(out, or + j + half, x2 * p.get(cos, tr + j + half) + x1 * p.get(sin, tr + j + half));
            }
        }
    }

    @Override
    public void rmsNormRows(int rows, int cols, float eps, MemorySegment x, long xOffset, MemorySegment weight,
                            MemorySegment y, long yOffset, MemorySegment rstd) {
        for (int r = 0; r < rows; r++) {
            long xr = xOffset + (long) r * cols, yr = yOffset + (long) r * cols;
            double squares = 0;
            for (int j = 0; j < cols; j++) {
                double v = p.get(x, xr + j);
                squares += v * v;
            }
            double rs = 1.0 / Math.sqrt(squares / cols + eps);
            for (int j = 0; j < cols; j++) {
                p.set(y, yr + j, p.get(x, xr + j) * rs * (weight == null ? 1.0 : p.get(weight, j)));
            }
            if (rstd != null) p.set(rstd, r, rs);
        }
    }

    @Override
    public void rmsNormBackwardRows(int rows, int cols, MemorySegment x, long xOffset, MemorySegment rstd,
                                    MemorySegment weight, MemorySegment dy, long dyOffset, MemorySegment dx,
                                    long dxOffset, MemorySegment dweight) {
        double[] dweightSum = new double[cols];
        for (int r = 0; r < rows; r++) {
            long xr = xOffset + (long) r * cols, dyr = dyOffset + (long) r * cols, dxr = dxOffset + (long) r * cols;
            double rs = p.get(rstd, r);
            double gxSum = 0;
            for (int j = 0; j < cols; j++) {
                double xhat = p.get(x, xr + j) * rs;
                double d = p.get(dy, dyr + j);
                gxSum += d * (weight == null ? 1.0 : p.get(weight, j)) * xhat;
                dweightSum[j] += d * xhat;
            }
            double gxMean = gxSum / cols;
            for (int j = 0; j < cols; j++) {
                double xhat = p.get(x, xr + j) * rs;
                double g = p.get(dy, dyr + j) * (weight == null ? 1.0 : p.get(weight, j));
                p.set(dx, dxr + j, rs * (g - xhat * gxMean));
            }
        }
        if (dweight != null) {
            for (int j = 0; j < cols; j++) p.set(dweight, j, p.get(dweight, j) + dweightSum[j]);
        }
    }

    // ---- selection ---------------------------------------------------------------------------------------

    /**
     * Sorts a copy of |x| (O(n log n): the reference favours the obvious over the contract's expected O(n)).
     * Returns float in both precisions: in F64 mode the double k-th value is rounded to the nearest float.
     */
    @Override
    public float kthLargestAbs(long n, long k, MemorySegment x, long xOffset) {
        if (k < 1 || k > n) throw new IllegalArgumentException("k must be in [1, " + n + "], got " + k);
        if (n > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("too many elements for the reference: " + n);
        double[] abs = new double[(int) n];
        for (int i = 0; i < n; i++) abs[i] = Math.abs(p.get(x, xOffset + i));
        Arrays.sort(abs); // ascending, NaN last: NaN ranks above every number, as the contract says
        return (float) abs[(int) (n - k)];
    }

    // ---- merge sweeps ------------------------------------------------------------------------------------

    /** The merge sweeps exist for fp32 adapters only; F64 serves gradient checks, which never merge. */
    @Override
    public MergeSweeps mergeSweeps() {
        if (p != Precision.F32) throw new UnsupportedOperationException("the merge sweeps are fp32 only");
        return sweeps;
    }
}
