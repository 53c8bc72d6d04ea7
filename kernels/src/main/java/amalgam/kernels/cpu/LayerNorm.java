package amalgam.kernels.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;

import static amalgam.kernels.cpu.Elementwise.get;
import static amalgam.kernels.cpu.Elementwise.load;
import static amalgam.kernels.cpu.Elementwise.set;
import static amalgam.kernels.cpu.Elementwise.store;
import static amalgam.kernels.cpu.VectorMath.S;

/**
 * Layer normalisation of rows, forward and backward. The input gradient is computed row by row (parallel
 * over rows); the gamma/beta gradients sum over rows, so they are computed column tile by column tile
 * (parallel over columns) with Kahan-compensated fp32 sums.
 */
final class LayerNorm {

    private static final int LANES = S.length();
    private static final int BLOCK = 32 * LANES;

    private LayerNorm() {}

    static void forward(int cols, float eps, MemorySegment x, long xOffset, MemorySegment gamma, MemorySegment beta,
                        MemorySegment y, long yOffset, MemorySegment mean, MemorySegment rstd,
                        int fromRow, int toRow) {
        for (int r = fromRow; r < toRow; r++) {
            long xr = xOffset + (long) r * cols, yr = yOffset + (long) r * cols;
            float mu = (float) (Reductions.sum(cols, x, xr) / cols);
            // Two passes: the variance of centred values does not cancel catastrophically.
            double variance = squaredDeviationSum(cols, x, xr, mu) / cols;
            float rs = (float) (1.0 / Math.sqrt(variance + eps));
            int j = 0;
            for (; j + LANES <= cols; j += LANES) {
                FloatVector v = load(x, xr + j).sub(mu).mul(rs);
                if (gamma != null) v = v.mul(load(gamma, j));
                if (beta != null) v = v.add(load(beta, j));
                store(v, y, yr + j);
            }
            for (; j < cols; j++) {
                float v = (get(x, xr + j) - mu) * rs;
                if (gamma != null) v *= get(gamma, j);
                if (beta != null) v += get(beta, j);
                set(y, yr + j, v);
            }
            if (mean != null) set(mean, r, mu);
            if (rstd != null) set(rstd, r, rs);
        }
    }

    /** Σ (x − mu)², in fp32 vector blocks summed in double; mu = 0 gives RmsNorm its sum of squares. */
    static double squaredDeviationSum(int n, MemorySegment x, long xr, float mu) {
        double total = 0;
        int j = 0;
        while (j + LANES <= n) {
            int blockEnd = Math.min(n, j + BLOCK);
            FloatVector acc = FloatVector.zero(S);
            for (; j + LANES <= blockEnd; j += LANES) {
                FloatVector d = load(x, xr + j).sub(mu);
                acc = d.fma(d, acc);
            }
            total += acc.reduceLanes(VectorOperators.ADD);
        }
        for (; j < n; j++) {
            double d = get(x, xr + j) - mu;
            total += d * d;
        }
        return total;
    }

    /** dx = rstd · (g − mean(g) − x̂ · mean(g ⊙ x̂)) with g = dy ⊙ gamma, for rows [fromRow, toRow). */
    static void inputGradient(int cols, MemorySegment x, long xOffset, MemorySegment mean, MemorySegment rstd,
                              MemorySegment gamma, MemorySegment dy, long dyOffset, MemorySegment dx, long dxOffset,
                              int fromRow, int toRow) {
        for (int r = fromRow; r < toRow; r++) {
            long xr = xOffset + (long) r * cols, dyr = dyOffset + (long) r * cols, dxr = dxOffset + (long) r * cols;
            float mu = get(mean, r), rs = get(rstd, r);
            double gSum = 0, gxSum = 0;
            int j = 0;
            while (j + LANES <= cols) {
                int blockEnd = Math.min(cols, j + BLOCK);
                FloatVector gAcc = FloatVector.zero(S), gxAcc = gAcc;
                for (; j + LANES <= blockEnd; j += LANES) {
                    FloatVector g = load(dy, dyr + j);
                    if (gamma != null) g = g.mul(load(gamma, j));
                    FloatVector xhat = load(x, xr + j).sub(mu).mul(rs);
                    gAcc = gAcc.add(g);
                    gxAcc = g.fma(xhat, gxAcc);
                }
                gSum += gAcc.reduceLanes(VectorOperators.ADD);
                gxSum += gxAcc.reduceLanes(VectorOperators.ADD);
            }
            for (; j < cols; j++) {
                double g = get(dy, dyr + j) * (gamma == null ? 1f : get(gamma, j));
                gSum += g;
                gxSum += g * ((get(x, xr + j) - mu) * rs);
            }
            float gMean = (float) (gSum / cols), gxMean = (float) (gxSum / cols);
            j = 0;
            for (; j + LANES <= cols; j += LANES) {
                FloatVector g = load(dy, dyr + j);
                if (gamma != null) g = g.mul(load(gamma, j));
                FloatVector xhat = load(x, xr + j).sub(mu).mul(rs);
                store(xhat.fma(xhat.broadcast(-gxMean), g.sub(gMean)).mul(rs), dx, dxr + j);
            }
            for (; j < cols; j++) {
                float g = get(dy, dyr + j) * (gamma == null ? 1f : get(gamma, j));
                float xhat = (get(x, xr + j) - mu) * rs;
                set(dx, dxr + j, rs * (g - gMean - xhat * gxMean));
            }
        }
    }

    /**
     * Adds Σ_rows dy ⊙ x̂ to dgamma and Σ_rows dy to dbeta (either may be null) for columns
     * [fromCol, toCol); a caller splitting columns among threads passes multiples of the vector length.
     * A null mean is zero: x̂ = x · rstd, RMS normalisation's weight gradient.
     */
    static void parameterGradients(int rows, int cols, MemorySegment x, long xOffset, MemorySegment mean,
                                   MemorySegment rstd, MemorySegment dy, long dyOffset,
                                   MemorySegment dgamma, MemorySegment dbeta, int fromCol, int toCol) {
        int j = fromCol;
        for (; j + LANES <= toCol; j += LANES) {
            FloatVector gs = FloatVector.zero(S), gc = gs, gPlain = gs, bs = gs, bc = gs, bPlain = gs;
            for (int r = 0; r < rows; r++) {
                FloatVector d = load(dy, dyOffset + (long) r * cols + j);
                FloatVector xhat = load(x, xOffset + (long) r * cols + j).sub(meanOf(mean, r)).mul(get(rstd, r));
                FloatVector term = d.mul(xhat);
                // Kahan sums, each with a plain twin that stands in where infinities make Kahan's NaN.
                FloatVector y = term.sub(gc), t = gs.add(y);
                gc = t.sub(gs).sub(y);
                gs = t;
                gPlain = gPlain.add(term);
                y = d.sub(bc);
                t = bs.add(y);
                bc = t.sub(bs).sub(y);
                bs = t;
                bPlain = bPlain.add(d);
            }
            if (dgamma != null) {
                gs = gs.blend(gPlain, gs.test(VectorOperators.IS_NAN));
                store(load(dgamma, j).add(gs), dgamma, j);
            }
            if (dbeta != null) {
                bs = bs.blend(bPlain, bs.test(VectorOperators.IS_NAN));
                store(load(dbeta, j).add(bs), dbeta, j);
            }
        }
        for (; j < toCol; j++) {
            double g = 0, b = 0;
            for (int r = 0; r < rows; r++) {
                double d = get(dy, dyOffset + (long) r * cols + j);
                g += d * ((get(x, xOffset + (long) r * cols + j) - meanOf(mean, r)) * get(rstd, r));
                b += d;
            }
            if (dgamma != null) set(dgamma, j, (float) (get(dgamma, j) + g));
            if (dbeta != null) set(dbeta, j, (float) (get(dbeta, j) + b));
        }
    }

    private static float meanOf(MemorySegment mean, int r) {
        return mean == null ? 0f : get(mean, r);
    }
}
