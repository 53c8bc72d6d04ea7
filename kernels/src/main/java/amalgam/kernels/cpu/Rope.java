package amalgam.kernels.cpu;

import jdk.incubator.vector.FloatVector;

import java.lang.foreign.MemorySegment;

import static amalgam.kernels.cpu.Elementwise.get;
import static amalgam.kernels.cpu.Elementwise.load;
import static amalgam.kernels.cpu.Elementwise.set;
import static amalgam.kernels.cpu.Elementwise.store;
import static amalgam.kernels.cpu.VectorMath.S;

/** Rotary position embedding (rotate-half) of rows, the two halves of each row a vector at a time. */
final class Rope {

    private static final int LANES = S.length();

    private Rope() {}

    static void rotate(int tokens, int dim, MemorySegment x, long xOffset, MemorySegment cos, MemorySegment sin,
                       MemorySegment out, long outOffset, int fromRow, int toRow) {
        int half = dim / 2;
        for (int r = fromRow; r < toRow; r++) {
            long xr = xOffset + (long) r * dim, or = outOffset + (long) r * dim, tr = (long) (r % tokens) * dim;
            int j = 0;
            for (; j + LANES <= half; j += LANES) {
                FloatVector x1 = load(x, xr + j), x2 = load(x, xr + j + half);
                FloatVector y1 = x1.mul(load(cos, tr + j)).sub(x2.mul(load(sin, tr + j)));
                FloatVector y2 = x2.mul(load(cos, tr + j + half)).add(x1.mul(load(sin, tr + j + half)));
                store(y1, out, or + j);
                store(y2, out, or + j + half);
            }
            for (; j < half; j++) {
                float x1 = get(x, xr + j), x2 = get(x, xr + j + half);
                set(out, or + j, x1 * get(cos, tr + j) - x2 * get(sin, tr + j));
                set(out, or + j + half, x2 * get(cos, tr + j + half) + x1 * get(sin, tr + j + half));
            }
        }
    }
}
