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
 * RMS normalisation of rows, forward and input gradient, row by row (parallel over rows). It is layer
 * normalisation without the centring, so the sum of squares and the weight gradient are
 * {@link LayerNorm}'s with a mean of zero.
 */
final class RmsNorm {

    private static final int LANES = S.length();
    private static final int BLOCK = 32 * LANES;

    private RmsNorm() {}

    static void forward(int cols, float eps, MemorySegment x, long xOffset, MemorySegment weight,
                        MemorySegment y, long yOffset, MemorySegment rstd, int fromRow, int toRow) {
        for (int r = fromRow; r < toRow; r++) {
            long xr = xOffset + (long) r * cols, yr = yOffset + (long) r * cols;
            float rs = (float) (1.0 / Math.sqrt(LayerNorm.squaredDeviationSum(cols, x, xr, 0f) / cols + eps));
            int j = 0;
            for (; j + LANES <= cols; j += LANES) {
                FloatVector v = load(x, xr + j).mul(rs);
                if (weight != null) v = v.mul(load(weight, j));
                store(v, y, yr + j);
            }
            for (; j < cols; j++) {
                float v = get(x, xr + j) * rs;
                if (weight != null) v *= get(weight, j);
                set(y, yr + j, v);
            }
            if (rstd != null) set(rstd, r, rs);
        }
    }

    /** dx = rstd · (g − x̂ · mean(g ⊙ x̂)) with g = dy ⊙ weight, for rows [fromRow, toRow). */
    static void inputGradient(int cols, MemorySegment x, long xOffset, MemorySegment rstd, MemorySegment weight,
                              MemorySegment dy, long dyOffset, MemorySegment dx, long dxOffset,
                              int fromRow, int toRow) {
        for (int r = fromRow; r < toRow; r++) {
            long xr = xOffset + (long) r * cols, dyr = dyOffset + (long) r * cols, dxr = dxOffset + (long) r * cols;
            float rs = get(rstd, r);
            double gxSum = 0;
            int j = 0;
            while (j + LANES <= cols) {
                int blockEnd = Math.min(cols, j + BLOCK);
                FloatVector gxAcc = FloatVector.zero(S);
                for (; j + LANES <= blockEnd; j += LANES) {
                    FloatVector g = load(dy, dyr + j);
                    if (weight != null) g = g.mul(load(weight, j));
                    gxAcc = g.fma(load(x, xr + j).mul(rs), gxAcc);
                }
                gxSum += gxAcc.reduceLanes(VectorOperators.ADD);
            }
            for (; j < cols; j++) {
                double g = get(dy, dyr + j) * (weight == null ? 1f : get(weight, j));
                gxSum += g * (get(x, xr + j) * rs);
            }
            float gxMean = (float) (gxSum / cols);
            j = 0;
            for (; j + LANES <= cols; j += LANES) {
                FloatVector g = load(dy, dyr + j);
                if (weight != null) g = g.mul(load(weight, j));
                FloatVector xhat = load(x, xr + j).mul(rs);
                store(xhat.fma(xhat.broadcast(-gxMean), g).mul(rs), dx, dxr + j);
            }
            for (; j < cols; j++) {
                float g = get(dy, dyr + j) * (weight == null ? 1f : get(weight, j));
                float xhat = get(x, xr + j) * rs;
                set(dx, dxr + j, rs * (g - xhat * gxMean));
            }
        }
    }
}
