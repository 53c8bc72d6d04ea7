package amalgam.kernels.ffm;

import amalgam.kernels.BinaryOp;
import amalgam.kernels.FloatSegments;
import amalgam.kernels.ReduceOp;
import amalgam.kernels.UnaryOp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The C kernels of native/cpu against the reference definitions of {@link UnaryOp} and {@link BinaryOp}
 * and against plain Java loops, on both the single-threaded and the OpenMP-parallel paths (the C code
 * forks only above 2^15–2^16 elements, so some inputs are that large), plus what only an FFM backend
 * needs: negative strides, bounds checks and refusal of heap segments.
 */
class NativeBackendTest {

    private static final float[] SPECIALS = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
            0f, -0f, 1f, -1f, 0.5f, -2.5f, 1e-30f, -1e-30f, 3e38f, -88f, 88f, Float.MIN_VALUE};

    private Arena arena;
    private NativeBackend single;
    private NativeBackend parallel;

    @BeforeEach
    void setUp() {
        assumeTrue(NativeLibrary.isAvailable(), () -> "skipped: " + NativeLibrary.unavailableReason());
        arena = Arena.ofConfined();
        single = new NativeBackend(1);
        parallel = new NativeBackend(2);
    }

    @AfterEach
    void tearDown() {
        if (arena != null) arena.close();
    }

    private static float[] random(long seed, int n, float scale) {
        Random random = new Random(seed);
        float[] values = new float[n];
        for (int i = 0; i < n; i++) values[i] = (random.nextFloat() * 2 - 1) * scale;
        return values;
    }

    /** Equal as floats (NaN equals NaN) or within {@code ulps} units in the last place of the expected value. */
    private static void assertClose(float expected, float actual, int ulps, String where) {
        if (Float.compare(expected, actual) == 0 || (Float.isNaN(expected) && Float.isNaN(actual))) return;
        if (Float.isFinite(expected) && Math.abs(expected - actual) <= ulps * Math.ulp(expected)) return;
        fail(where + ": expected " + expected + " but was " + actual);
    }

    // ---- elementwise -------------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(UnaryOp.class)
    void unaryMatchesTheReferenceDefinition(UnaryOp op) {
        float[] x = random(op.ordinal(), 70_000, 6f);
        System.arraycopy(SPECIALS, 0, x, 0, SPECIALS.length);
        for (NativeBackend backend : new NativeBackend[]{single, parallel}) {
            MemorySegment in = FloatSegments.of(arena, x), out = FloatSegments.allocate(arena, x.length + 1);
            backend.unary(op, x.length, in, 0, out, 1);
            for (int i = 0; i < x.length; i++) {
                // Both compute in double and round once; libm and Java may differ in the last double bit.
                assertClose(op.apply(x[i]), FloatSegments.get(out, i + 1), 1, op + "(" + x[i] + ")");
            }
        }
    }

    @Test
    void unaryMayWriteInPlace() {
        MemorySegment x = FloatSegments.of(arena, -2f, -0.5f, 0f, 3f);
        single.unary(UnaryOp.RELU, 4, x, 0, x, 0);
        assertArrayEquals(new float[]{0f, 0f, 0f, 3f}, FloatSegments.toArray(x, 0, 4));
    }

    @ParameterizedTest
    @EnumSource(BinaryOp.class)
    void binaryOnSpecialValuesIsBitExact(BinaryOp op) {
        int n = SPECIALS.length;
        MemorySegment a = FloatSegments.of(arena, SPECIALS), b = FloatSegments.of(arena, SPECIALS);
        MemorySegment out = FloatSegments.allocate(arena, (long) n * n);
        // Every pair: a broadcast down the columns, b along the rows.
        single.binary(op, new int[]{n, n}, a, 0, new long[]{1, 0}, b, 0, new long[]{0, 1}, out, 0);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                assertClose(op.apply(SPECIALS[i], SPECIALS[j]), FloatSegments.get(out, (long) i * n + j), 0,
                        op + "(" + SPECIALS[i] + ", " + SPECIALS[j] + ")");
            }
        }
    }

    @Test
    void binaryBroadcastsThroughNegativeAndZeroStrides() {
        int d0 = 40, d1 = 50, d2 = 33; // 66 000 elements: the parallel path
        float[] av = random(1, d0 * d1 * d2, 3f), bv = random(2, d2, 3f);
        MemorySegment a = FloatSegments.of(arena, av), b = FloatSegments.of(arena, bv);
        MemorySegment out = FloatSegments.allocate(arena, av.length);
        // a read backwards along its first two axes; b one row broadcast over both leading axes.
        long aOffset = (long) (d0 - 1) * d1 * d2 + (long) (d1 - 1) * d2;
        long[] aStrides = {-(long) d1 * d2, -d2, 1};
        for (NativeBackend backend : new NativeBackend[]{single, parallel}) {
            backend.binary(BinaryOp.SUB, new int[]{d0, d1, d2}, a, aOffset, aStrides, b, 0, new long[]{0, 0, 1},
                    out, 0);
            for (int i = 0; i < d0; i++) {
                for (int j = 0; j < d1; j++) {
                    for (int k = 0; k < d2; k++) {
                        float expected = av[(int) (aOffset + i * aStrides[0] + j * aStrides[1] + k)] - bv[k];
                        assertEquals(expected, FloatSegments.get(out, ((long) i * d1 + j) * d2 + k));
                    }
                }
            }
        }
    }

    @Test
    void binaryOfRankZeroIsOneElement() {
        MemorySegment a = FloatSegments.of(arena, 3f), b = FloatSegments.of(arena, 4f);
        MemorySegment out = FloatSegments.allocate(arena, 1);
        single.binary(BinaryOp.MUL, new int[0], a, 0, new long[0], b, 0, new long[0], out, 0);
        assertEquals(12f, FloatSegments.get(out, 0));
    }

    @Test
    void copyStridedMaterialisesATransposeAndAReversal() {
        // src is 3×4 row-major; read it as its 4×3 transpose, with the new last axis reversed.
        MemorySegment src = FloatSegments.of(arena, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
        MemorySegment dst = FloatSegments.allocate(arena, 12);
        single.copyStrided(new int[]{4, 3}, src, 8, new long[]{1, -4}, dst, 0);
        assertArrayEquals(new float[]{8, 4, 0, 9, 5, 1, 10, 6, 2, 11, 7, 3}, FloatSegments.toArray(dst, 0, 12));
    }

    @Test
    void fillAndAffine() {
        MemorySegment x = FloatSegments.allocate(arena, 100_000);
        parallel.fill(100_000, 2.5f, x, 0);
        parallel.affine(100_000, -2f, 1f, x, 0, x, 0);
        for (long i = 0; i < 100_000; i += 997) assertEquals(-4f, FloatSegments.get(x, i));
        MemorySegment y = FloatSegments.of(arena, 1f, 2f, 3f);
        single.affine(2, 0.5f, 0.25f, y, 1, y, 0);
        assertArrayEquals(new float[]{1.25f, 1.75f, 3f}, FloatSegments.toArray(y, 0, 3));
    }

    // ---- reductions --------------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(ReduceOp.class)
    void reduceMatchesDoubleLoops(ReduceOp op) {
        int outer = 3, axis = 1000, inner = 300; // 900 000 elements, more than one inner chunk
        float[] x = random(op.ordinal() + 10, outer * axis * inner, 1f);
        x[5 * inner + 7] = Float.NaN; // outer 0, inner 7
        MemorySegment in = FloatSegments.of(arena, x), out = FloatSegments.allocate(arena, outer * inner);
        for (NativeBackend backend : new NativeBackend[]{single, parallel}) {
            backend.reduce(op, outer, axis, inner, in, 0, out, 0);
            for (int o = 0; o < outer; o++) {
                for (int i = 0; i < inner; i++) {
                    double acc = op == ReduceOp.MAX ? Double.NEGATIVE_INFINITY : 0;
                    for (int a = 0; a < axis; a++) {
                        double v = x[(o * axis + a) * inner + i];
                        acc = op == ReduceOp.MAX ? Math.max(acc, v) : acc + v;
                    }
                    if (op == ReduceOp.MEAN) acc /= axis;
                    assertClose((float) acc, FloatSegments.get(out, (long) o * inner + i), 0,
                            op + " at outer " + o + ", inner " + i);
                }
            }
        }
    }

    @Test
    void reduceOfAnEmptyAxis() {
        MemorySegment x = FloatSegments.allocate(arena, 1), out = FloatSegments.allocate(arena, 2);
        single.reduce(ReduceOp.SUM, 1, 0, 2, x, 0, out, 0);
        assertArrayEquals(new float[]{0f, 0f}, FloatSegments.toArray(out, 0, 2));
        single.reduce(ReduceOp.MEAN, 1, 0, 2, x, 0, out, 0);
        assertEquals(Float.NaN, FloatSegments.get(out, 0));
    }

    // ---- rows --------------------------------------------------------------------------------------------

    @Test
    void softmaxHandChecked() {
        float ln3 = (float) Math.log(3);
        MemorySegment x = FloatSegments.of(arena, 0f, ln3, 1000f, 1000f);
        single.softmaxRows(2, 2, x, 0, x, 0);
        assertClose(0.25f, FloatSegments.get(x, 0), 1, "softmax[0]");
        assertClose(0.75f, FloatSegments.get(x, 1), 1, "softmax[1]");
        assertEquals(0.5f, FloatSegments.get(x, 2), "large equal logits do not overflow");
        assertEquals(0.5f, FloatSegments.get(x, 3));
        MemorySegment y = FloatSegments.of(arena, 0f, ln3);
        single.logSoftmaxRows(1, 2, y, 0, y, 0);
        assertClose((float) Math.log(0.25), FloatSegments.get(y, 0), 1, "logSoftmax[0]");
    }

    @Test
    void softmaxBackwardsMatchTheirFormulas() {
        int rows = 300, cols = 257; // above the parallel threshold
        float[] y = random(3, rows * cols, 1f), dy = random(4, rows * cols, 1f);
        MemorySegment ys = FloatSegments.of(arena, y), dys = FloatSegments.of(arena, dy);
        MemorySegment dx = FloatSegments.allocate(arena, y.length), dxLog = FloatSegments.allocate(arena, y.length);
        parallel.softmaxBackwardRows(rows, cols, ys, 0, dys, 0, dx, 0);
        parallel.logSoftmaxBackwardRows(rows, cols, ys, 0, dys, 0, dxLog, 0);
        for (int r = 0; r < rows; r++) {
            double dot = 0, sum = 0;
            for (int j = 0; j < cols; j++) {
                dot += (double) dy[r * cols + j] * y[r * cols + j];
                sum += dy[r * cols + j];
            }
            for (int j = 0; j < cols; j++) {
                int i = r * cols + j;
                assertClose((float) (y[i] * (dy[i] - dot)), FloatSegments.get(dx, i), 1, "softmax backward " + i);
                assertClose((float) (dy[i] - Math.exp(y[i]) * sum), FloatSegments.get(dxLog, i), 1,
                        "log-softmax backward " + i);
            }
        }
    }

    @Test
    void layerNormHandChecked() {
        MemorySegment x = FloatSegments.of(arena, 1f, 2f, 3f);
        MemorySegment gamma = FloatSegments.of(arena, 1f, 2f, 3f), beta = FloatSegments.of(arena, 0f, 0f, 1f);
        MemorySegment y = FloatSegments.allocate(arena, 3);
        MemorySegment mean = FloatSegments.allocate(arena, 1), rstd = FloatSegments.allocate(arena, 1);
        single.layerNormRows(1, 3, 0f, x, 0, gamma, beta, y, 0, mean, rstd);
        float r = (float) Math.sqrt(1.5); // variance of {1, 2, 3} is 2/3
        assertEquals(2f, FloatSegments.get(mean, 0));
        assertClose(r, FloatSegments.get(rstd, 0), 1, "rstd");
        assertClose(-r, FloatSegments.get(y, 0), 1, "y[0]");
        assertEquals(0f, FloatSegments.get(y, 1));
        assertClose(3 * r + 1, FloatSegments.get(y, 2), 1, "y[2]");
    }

    @Test
    void layerNormBackwardAgreesWithFiniteDifferences() {
        int rows = 2, cols = 5;
        float[] x = random(5, rows * cols, 2f), gamma = random(6, cols, 1f), dy = random(7, rows * cols, 1f);
        MemorySegment xs = FloatSegments.of(arena, x), gs = FloatSegments.of(arena, gamma);
        MemorySegment dys = FloatSegments.of(arena, dy), dx = FloatSegments.allocate(arena, x.length);
        MemorySegment y = FloatSegments.allocate(arena, x.length);
        MemorySegment mean = FloatSegments.allocate(arena, rows), rstd = FloatSegments.allocate(arena, rows);
        MemorySegment dgamma = FloatSegments.of(arena, new float[cols]), dbeta = FloatSegments.of(arena, new float[cols]);
        single.layerNormRows(rows, cols, 1e-5f, xs, 0, gs, null, y, 0, mean, rstd);
        single.layerNormBackwardRows(rows, cols, xs, 0, mean, rstd, gs, dys, 0, dx, 0, dgamma, dbeta);
        // Loss L = Σ dy ⊙ layerNorm(x), differentiated numerically in double.
        for (int i = 0; i < x.length; i++) {
            double h = 1e-3;
            double numeric = (loss(x, i, h, gamma, dy, cols) - loss(x, i, -h, gamma, dy, cols)) / (2 * h);
            assertEquals(numeric, FloatSegments.get(dx, i), 1e-3, "dx[" + i + "]");
        }
        for (int j = 0; j < cols; j++) {
            double db = 0;
            for (int r = 0; r < rows; r++) db += dy[r * cols + j];
            assertEquals(db, FloatSegments.get(dbeta, j), 1e-5, "dbeta[" + j + "]");
        }
    }

    private static double loss(float[] x, int bump, double h, float[] gamma, float[] dy, int cols) {
        double total = 0;
        for (int r = 0; r < x.length / cols; r++) {
            double[] row = new double[cols];
            for (int j = 0; j < cols; j++) row[j] = x[r * cols + j] + (r * cols + j == bump ? h : 0);
            double mu = Arrays.stream(row).average().orElseThrow(), var = 0;
            for (double v : row) var += (v - mu) * (v - mu);
            double rs = 1 / Math.sqrt(var / cols + 1e-5);
            for (int j = 0; j < cols; j++) total += dy[r * cols + j] * (row[j] - mu) * rs * gamma[j];
        }
        return total;
    }

    // ---- selection ---------------------------------------------------------------------------------------

    @Test
    void kthLargestAbsMatchesSortingAndLeavesInputAlone() {
        float[] x = random(8, 200_003, 5f);
        for (int i = 0; i < 1000; i++) x[i * 13] = x[i * 7]; // duplicates
        x[17] = -0f;
        x[18] = Float.NEGATIVE_INFINITY;
        x[19] = Float.NaN;
        float[] sorted = new float[x.length];
        for (int i = 0; i < x.length; i++) sorted[i] = Math.abs(x[i]);
        Arrays.sort(sorted); // NaN last, as the contract ranks it
        MemorySegment xs = FloatSegments.of(arena, x);
        for (NativeBackend backend : new NativeBackend[]{single, parallel}) {
            for (long k : new long[]{1, 2, 3, 1000, 100_000, x.length - 1, x.length}) {
                float expected = sorted[(int) (x.length - k)];
                assertClose(expected, backend.kthLargestAbs(x.length, k, xs, 0), 0, "k=" + k);
            }
        }
        assertArrayEquals(x, FloatSegments.toArray(xs, 0, x.length), "input untouched");
    }

    @Test
    void kthLargestAbsOfASmallSlice() {
        MemorySegment x = FloatSegments.of(arena, 100f, -3f, 1f, -2f, 100f);
        assertEquals(3f, single.kthLargestAbs(3, 1, x, 1));
        assertEquals(2f, single.kthLargestAbs(3, 2, x, 1));
        assertEquals(1f, single.kthLargestAbs(3, 3, x, 1));
        assertThrows(IllegalArgumentException.class, () -> single.kthLargestAbs(3, 4, x, 1));
    }

    // ---- protection of C from bad arguments ----------------------------------------------------------------

    @Test
    void outOfRangeOperandsAreRejected() {
        MemorySegment x = FloatSegments.allocate(arena, 10);
        assertThrows(IndexOutOfBoundsException.class, () -> single.unary(UnaryOp.EXP, 8, x, 3, x, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> single.fill(11, 0f, x, 0));
        // The last source element would be 5 + 1·5 + 2 = 12, past the end.
        assertThrows(IndexOutOfBoundsException.class, () -> single.copyStrided(new int[]{2, 3}, x, 5,
                new long[]{5, 1}, x, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> single.binary(BinaryOp.ADD, new int[]{3}, x, 0,
                new long[]{-1}, x, 0, new long[]{1}, x, 0));
        assertThrows(IllegalArgumentException.class, () -> single.binary(BinaryOp.ADD, new int[]{3}, x, 0,
                new long[]{1, 1}, x, 0, new long[]{1}, x, 0));
        assertThrows(IllegalArgumentException.class, () -> single.fill(2, 0f, MemorySegment.ofArray(new float[2]), 0));
    }
}
