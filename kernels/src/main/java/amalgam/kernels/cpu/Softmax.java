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
 * Softmax and log-softmax of rows [fromRow, toRow) of a contiguous rows×cols block, forward and backward.
 * Row sums add short fp32 blocks into a double, as {@link Reductions#sum} does.
 */
final class Softmax {

    private static final int LANES = S.length();
    private static final int BLOCK = 32 * LANES;

    private Softmax() {}

    static void forward(int cols, MemorySegment x, long xOffset, MemorySegment out, long outOffset,
                        int fromRow, int toRow) {
        for (int r = fromRow; r < toRow; r++) {
            long xr = xOffset + (long) r * cols, or = outOffset + (long) r * cols;
            float max = Reductions.max(cols, x, xr);
            double sum = expShiftedSum(cols, x, xr, max, out, or);
            Elementwise.affine(cols, (float) (1.0 / sum), 0f, out, or, out, or);
        }
    }

    static void logForward(int cols, MemorySegment x, long xOffset, MemorySegment out, long outOffset,
                           int fromRow, int toRow) {
        for (int r = fromRow; r < toRow; r++) {
            long xr = xOffset + (long) r * cols, or = outOffset + (long) r * cols;
            float max = Reductions.max(cols, x, xr);
            float logSum = (float) Math.log(expShiftedSum(cols, x, xr, max, null, 0));
            // (x − max) − logSum rather than x − (max + logSum): the largest entry stays exactly −logSum.
            int j = 0;
            for (; j + LANES <= cols; j += LANES) store(load(x, xr + j).sub(max).sub(logSum), out, or + j);
            for (; j < cols; j++) set(out, or + j, get(x, xr + j) - max - logSum);
        }
    }

    /** Σ exp(x − max) over a row, also storing each exp into out when out is not null. */
    private static double expShiftedSum(int n, MemorySegment x, long xr, float max, MemorySegment out, long or) {
        double total = 0;
        int j = 0;
        while (j + LANES <= n) {
            int blockEnd = Math.min(n, j + BLOCK);
            FloatVector acc = FloatVector.zero(S);
            for (; j + LANES <= blockEnd; j += LANES) {
                FloatVector e = load(x, xr + j).sub(max).lanewise(VectorOperators.EXP);
                if (out != null) store(e, out, or + j);
                acc = acc.add(e);
            }
            total += acc.reduceLanes(VectorOperators.ADD);
        }
        for (; j < n; j++) {
            float e = (float) Math.exp(get(x, xr + j) - max);
            if (out != null) set(out, or + j, e);
            total += e;
        }
        return total;
    }

    /** dx = y ⊙ (dy − Σ dy ⊙ y). */
    static void backward(int cols, MemorySegment y, long yOffset, MemorySegment dy, long dyOffset,
                         MemorySegment dx, long dxOffset, int fromRow, int toRow) {
        for (int r = fromRow; r < toRow; r++) {
            long yr = yOffset + (long) r * cols, dyr = dyOffset + (long) r * cols, dxr = dxOffset + (long) r * cols;
            float dot = (float) dot(cols, dy, dyr, y, yr);
            int j = 0;
            for (; j + LANES <= cols; j += LANES) {
                store(load(y, yr + j).mul(load(dy, dyr + j).sub(dot)), dx, dxr + j);
            }
            for (; j < cols; j++) set(dx, dxr + j, get(y, yr + j) * (get(dy, dyr + j) - dot));
        }
    }

    /** dx = dy − exp(y) · Σ dy. */
    static void logBackward(int cols, MemorySegment y, long yOffset, MemorySegment dy, long dyOffset,
                            MemorySegment dx, long dxOffset, int fromRow, int toRow) {
        for (int r = fromRow; r < toRow; r++) {
            long yr = yOffset + (long) r * cols, dyr = dyOffset + (long) r * cols, dxr = dxOffset + (long) r * cols;
            float negSum = (float) -Reductions.sum(cols, dy, dyr);
            int j = 0;
            for (; j + LANES <= cols; j += LANES) {
                FloatVector e = load(y, yr + j).lanewise(VectorOperators.EXP);
                store(e.fma(e.broadcast(negSum), load(dy, dyr + j)), dx, dxr + j);
            }
            for (; j < cols; j++) {
                set(dx, dxr + j, (float) Math.fma(Math.exp(get(y, yr + j)), negSum, get(dy, dyr + j)));
            }
        }
    }

    /** Σ a ⊙ b over n elements, fp32 blocks added into a double. */
    static double dot(int n, MemorySegment a, long aOffset, MemorySegment b, long bOffset) {
        double total = 0;
        int j = 0;
        while (j + LANES <= n) {
            int blockEnd = Math.min(n, j + BLOCK);
            FloatVector acc = FloatVector.zero(S);
            for (; j + LANES <= blockEnd; j += LANES) acc = load(a, aOffset + j).fma(load(b, bOffset + j), acc);
            total += acc.reduceLanes(VectorOperators.ADD);
        }
        for (; j < n; j++) total += (double) get(a, aOffset + j) * get(b, bOffset + j);
        return total;
    }
}
