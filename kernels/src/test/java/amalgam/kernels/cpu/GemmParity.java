package amalgam.kernels.cpu;

import amalgam.kernels.FloatSegments;
import amalgam.kernels.Gemm;
import amalgam.kernels.Tolerance;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.fail;

/** What the GEMM and GEMV parity tests share: operand layouts, seeded operands, and the comparison of C. */
final class GemmParity {

    private GemmParity() {}

    /** Where a matrix starts in its segment and how far apart its rows are, beyond the minimum. */
    record Layout(long offset, int pad) {
        static final Layout TIGHT = new Layout(0, 0);
        static final Layout LOOSE = new Layout(5, 3);
    }

    /** count floats uniform in [−1, 1), the same for the same seed. */
    static MemorySegment random(Arena arena, long count, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        MemorySegment segment = FloatSegments.allocate(arena, count);
        for (long i = 0; i < count; i++) FloatSegments.set(segment, i, (float) (random.nextDouble() * 2 - 1));
        return segment;
    }

    /** count NaNs: a C that beta = 0 must overwrite without reading. */
    static MemorySegment nans(Arena arena, long count) {
        MemorySegment segment = FloatSegments.allocate(arena, count);
        for (long i = 0; i < count; i++) FloatSegments.set(segment, i, Float.NaN);
        return segment;
    }

    static MemorySegment copy(Arena arena, MemorySegment source) {
        MemorySegment target = FloatSegments.allocate(arena, FloatSegments.length(source));
        target.copyFrom(source);
        return target;
    }

    static String describe(Gemm gemm, int threads, boolean transA, boolean transB, int m, int n, int k,
                           float alpha, float beta) {
        return gemm.name() + "(" + threads + " threads) " + (transA ? "T" : "N") + (transB ? "T" : "N")
                + " m=" + m + " n=" + n + " k=" + k + " alpha=" + alpha + " beta=" + beta;
    }

    /**
     * Each of {@code rows} rows of n elements, the first at {@code off} and the next {@code stride} further on,
     * matches the reference within 1e-5·k·max|C| (NaN only where the reference has NaN, infinities exactly);
     * every other element of the segment is bit for bit as it started.
     */
    static void assertRowsClose(MemorySegment expected, MemorySegment actual, MemorySegment initial,
                                long off, long stride, int rows, int n, int k, String what) {
        float maxRef = 0f;
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < n; j++) {
                float value = FloatSegments.get(expected, off + i * stride + j);
                if (Float.isFinite(value)) maxRef = Math.max(maxRef, Math.abs(value));
            }
        }
        Tolerance tolerance = new Tolerance(0, 1e-5 * Math.max(k, 1) * maxRef + 1e-6);
        for (long index = 0; index < FloatSegments.length(expected); index++) {
            long inC = index - off;
            boolean insideC = inC >= 0 && inC / stride < rows && inC % stride < n;
            float got = FloatSegments.get(actual, index);
            if (insideC) {
                tolerance.assertClose(what + " row " + inC / stride + " column " + inC % stride,
                        FloatSegments.get(expected, index), got);
            } else if (Float.compare(got, FloatSegments.get(initial, index)) != 0) {
                fail(what + ": element " + index + " is outside C and must be untouched, but became " + got);
            }
        }
    }
}
