package amalgam.kernels.ffm;

import amalgam.kernels.Backend;
import amalgam.kernels.BackendConformanceTest;
import amalgam.kernels.BinaryOp;
import amalgam.kernels.FloatSegments;
import amalgam.kernels.UnaryOp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@link NativeBackend} against the reference: the whole {@link BackendConformanceTest} on two threads (the
 * C code forks only above 2^15–2^16 elements, which some conformance sizes exceed and others do not), plus
 * hand-checked examples and what only an FFM backend needs: every pair of special values bit-exact through the Java rules
 * for NaN, signed zero and pow, negative strides, and bounds checks (heap segments included).
 * Skipped, with the reason, where the C library is unavailable.
 */
class NativeBackendTest {

    private static final Map<Integer, NativeBackend> BACKENDS = new ConcurrentHashMap<>();

    private static final float[] SPECIALS = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
            0f, -0f, 1f, -1f, 0.5f, -2.5f, 1e-30f, -1e-30f, 3e38f, -88f, 88f, Float.MIN_VALUE};

    private Arena arena;
    private NativeBackend single;
    private NativeBackend parallel;

    /** Created on first use, after the availability check, so that a missing library skips rather than errs. */
    private static NativeBackend backendWith(int threads) {
        return BACKENDS.computeIfAbsent(threads, NativeBackend::new);
    }

    /**
     * Two threads cover both paths: each C kernel forks only above its size threshold, so the conformance
     * sizes below it run the very code a one-thread backend runs; a second run on one thread would repeat
     * those paths at twice the time.
     */
    @Nested
    class TwoThreads extends BackendConformanceTest {
        @Override
        protected Backend backend() {
            return backendWith(2);
        }
    }

    @BeforeEach
    void setUp() {
        assumeTrue(NativeLibrary.isAvailable(), () -> "skipped: " + NativeLibrary.unavailableReason());
        arena = Arena.ofConfined();
        single = backendWith(1);
        parallel = backendWith(2);
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

    // ---- selection ---------------------------------------------------------------------------------------

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
        assertThrows(IndexOutOfBoundsException.class, () -> single.fill(3, 0f, MemorySegment.ofArray(new float[2]), 0));
    }
}
