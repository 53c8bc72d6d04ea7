package amalgam.kernels.cpu;

import amalgam.kernels.FloatSegments;
import amalgam.kernels.Gemm;
import amalgam.kernels.WorkerPool;
import amalgam.kernels.scalar.ScalarGemm;
import org.junit.jupiter.api.AfterAll;
import amalgam.kernels.cpu.GemmParity.Layout;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static amalgam.kernels.cpu.GemmParity.assertRowsClose;
import static amalgam.kernels.cpu.GemmParity.copy;
import static amalgam.kernels.cpu.GemmParity.describe;
import static amalgam.kernels.cpu.GemmParity.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link VectorGemm} against {@link ScalarGemm} on random data over awkward shapes, every transpose,
 * alpha ≠ 1, beta ∈ {0, 1, −0.5}, offsets and padded leading dimensions, batches, on 1 and 2 threads.
 *
 * <p>Tolerance: the two sum k products in different orders (and the fast one with FMA), so each result may
 * differ from the reference by {@code 1e-5 · k · max|ref| + 1e-6}, where max|ref| is over the whole C.
 * Padding between rows of C (ldc > n) must come back untouched.
 */
class VectorGemmTest {

    private static final int[] SIZES = {1, 7, 33, 257};
    private static final float[] BETAS = {0f, 1f, -0.5f};
    private static final boolean[] FALSE_TRUE = {false, true};

    private static final WorkerPool ONE_THREAD = WorkerPool.of(1);
    private static final WorkerPool TWO_THREADS = WorkerPool.of(2);
    private static final Gemm REFERENCE = new ScalarGemm();
    private static final Gemm[] FAST = {new VectorGemm(ONE_THREAD), new VectorGemm(TWO_THREADS)};

    @AfterAll
    static void closePools() {
        ONE_THREAD.close();
        TWO_THREADS.close();
    }

    @Test
    void matchesReferenceOnEveryCombinationOfAwkwardSizes() {
        int caseNumber = 0;
        for (int m : SIZES) {
            for (int n : SIZES) {
                for (int k : SIZES) {
                    for (boolean transA : FALSE_TRUE) {
                        for (boolean transB : FALSE_TRUE) {
                            float beta = BETAS[caseNumber % BETAS.length];
                            Layout layout = caseNumber % 2 == 0 ? Layout.TIGHT : Layout.LOOSE;
                            checkAgainstReference(transA, transB, m, n, k, -1.5f, beta, layout, caseNumber++);
                        }
                    }
                }
            }
        }
    }

    @Test
    void sharesOnePackedBAcrossTwoNcBlocksWhenSplittingRows() {
        // m ≥ n splits rows on two threads, and n > NC lays the shared packed B out in two NC blocks; k = 16
        // makes B large enough to be shared (SplitGemmTask.MIN_SHARED_FLOATS) on every vector length.
        int caseNumber = 0;
        for (boolean transB : FALSE_TRUE) {
            checkAgainstReference(false, transB, 2056, BlockedGemm.NC + 4, 16, 1.25f, -0.5f, Layout.LOOSE, caseNumber++);
        }
    }

    @Test
    void matchesReferenceOnShapesThatCrossTheCacheBlocks() {
        // 300 rows cross MC, k = 600 crosses KC twice, n = 2100 crosses NC; 517 and 129 leave ragged edges;
        // 1100×7×300 is a narrow C whose A is too big for the unblocked path.
        int[][] shapes = {{300, 517, 129}, {150, 40, 600}, {7, 2100, 5}, {1088, 192, 64}, {1100, 7, 300}};
        int caseNumber = 0;
        for (int[] shape : shapes) {
            for (boolean transA : FALSE_TRUE) {
                for (boolean transB : FALSE_TRUE) {
                    for (float beta : BETAS) {
                        Layout layout = caseNumber % 2 == 0 ? Layout.LOOSE : Layout.TIGHT;
                        checkAgainstReference(transA, transB, shape[0], shape[1], shape[2], 0.75f, beta, layout,
                                caseNumber++);
                    }
                }
            }
        }
    }

    @Test
    void batchedMatchesReferenceItemByItem() {
        int[][] shapes = {{17, 16, 17}, {17, 17, 16}, {33, 7, 257}, {200, 100, 50}};
        int caseNumber = 0;
        for (int[] shape : shapes) {
            for (boolean transA : FALSE_TRUE) {
                for (boolean transB : FALSE_TRUE) {
                    for (boolean shareB : FALSE_TRUE) {
                        checkBatchAgainstReference(transA, transB, shape[0], shape[1], shape[2], 9,
                                shareB, BETAS[caseNumber % BETAS.length], caseNumber++);
                    }
                }
            }
        }
    }

    @Test
    void nanInAReachesEveryColumnOfItsRow() {
        for (int[] shape : new int[][]{{9, 20, 11}, {300, 70, 129}}) {
            int m = shape[0], n = shape[1], k = shape[2];
            for (Gemm gemm : FAST) {
                try (Arena arena = Arena.ofShared()) {
                    MemorySegment a = random(arena, (long) m * k, 1), b = random(arena, (long) k * n, 2);
                    MemorySegment c = FloatSegments.allocate(arena, (long) m * n);
                    int row = m / 2;
                    FloatSegments.set(a, (long) row * k + k - 1, Float.NaN);
                    gemm.gemm(false, false, m, n, k, 1f, a, 0, k, b, 0, k == 0 ? 1 : n, 0f, c, 0, n);
                    for (int i = 0; i < m; i++) {
                        for (int j = 0; j < n; j++) {
                            float value = FloatSegments.get(c, (long) i * n + j);
                            if (i == row) assertTrue(Float.isNaN(value), at(gemm, m, n, k, i, j) + " should be NaN");
                            else assertTrue(Float.isFinite(value), at(gemm, m, n, k, i, j) + " should be finite");
                        }
                    }
                }
            }
        }
    }

    @Test
    void infinityTimesZeroGivesNan() {
        for (int[] shape : new int[][]{{9, 20, 11}, {300, 70, 129}}) {
            int m = shape[0], n = shape[1], k = shape[2];
            for (Gemm gemm : FAST) {
                try (Arena arena = Arena.ofShared()) {
                    MemorySegment a = random(arena, (long) m * k, 3), b = random(arena, (long) k * n, 4);
                    MemorySegment c = FloatSegments.allocate(arena, (long) m * n);
                    int p = k / 3;
                    FloatSegments.set(a, p, Float.POSITIVE_INFINITY); // A[0][p]
                    for (int j = 0; j < n; j++) FloatSegments.set(b, (long) p * n + j, 0f); // row p of B
                    gemm.gemm(false, false, m, n, k, 1f, a, 0, k, b, 0, n, 0f, c, 0, n);
                    for (int j = 0; j < n; j++) {
                        assertTrue(Float.isNaN(FloatSegments.get(c, j)), at(gemm, m, n, k, 0, j) + ": Inf·0 is NaN");
                        assertTrue(Float.isFinite(FloatSegments.get(c, n + j)), at(gemm, m, n, k, 1, j));
                    }
                }
            }
        }
    }

    @Test
    void betaZeroIgnoresNanAlreadyInCButOtherBetasPropagateIt() {
        for (int[] shape : new int[][]{{9, 20, 11}, {300, 70, 129}}) {
            int m = shape[0], n = shape[1], k = shape[2];
            for (Gemm gemm : FAST) {
                for (float beta : BETAS) {
                    try (Arena arena = Arena.ofShared()) {
                        MemorySegment a = random(arena, (long) m * k, 5), b = random(arena, (long) k * n, 6);
                        MemorySegment c = FloatSegments.allocate(arena, (long) m * n);
                        for (long i = 0; i < (long) m * n; i++) FloatSegments.set(c, i, Float.NaN);
                        gemm.gemm(false, false, m, n, k, 1f, a, 0, k, b, 0, n, beta, c, 0, n);
                        for (long i = 0; i < (long) m * n; i++) {
                            float value = FloatSegments.get(c, i);
                            String where = gemm.name() + " beta=" + beta + " element " + i;
                            if (beta == 0f) assertTrue(Float.isFinite(value), where + " must not read old C");
                            else assertTrue(Float.isNaN(value), where + " must carry the NaN of old C");
                        }
                    }
                }
            }
        }
    }

    @Test
    void emptyInnerDimensionScalesC() {
        for (Gemm gemm : FAST) {
            try (Arena arena = Arena.ofShared()) {
                MemorySegment c = FloatSegments.of(arena, 1f, 2f, Float.NaN, 4f);
                MemorySegment none = FloatSegments.allocate(arena, 0);
                gemm.gemm(false, false, 2, 2, 0, 1f, none, 0, 1, none, 0, 2, -0.5f, c, 0, 2);
                assertEquals(-0.5f, FloatSegments.get(c, 0));
                assertEquals(-1f, FloatSegments.get(c, 1));
                assertTrue(Float.isNaN(FloatSegments.get(c, 2)));
                gemm.gemm(false, false, 2, 2, 0, 1f, none, 0, 1, none, 0, 2, 0f, c, 0, 2);
                for (int i = 0; i < 4; i++) assertEquals(0f, FloatSegments.get(c, i));
            }
        }
    }

    @Test
    void handCheckedProduct() {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment a = FloatSegments.of(arena, 1, 2, 3, 4, 5, 6);        // 2×3
            MemorySegment b = FloatSegments.of(arena, 7, 8, 9, 10, 11, 12);     // 3×2
            for (Gemm gemm : FAST) {
                MemorySegment c = FloatSegments.of(arena, 1, 1, 1, 1);
                gemm.gemm(false, false, 2, 2, 3, 2f, a, 0, 3, b, 0, 2, 1f, c, 0, 2);
                // [[58, 64], [139, 154]] · 2 + 1
                assertEquals(117f, FloatSegments.get(c, 0));
                assertEquals(129f, FloatSegments.get(c, 1));
                assertEquals(279f, FloatSegments.get(c, 2));
                assertEquals(309f, FloatSegments.get(c, 3));
            }
        }
    }

    @Test
    void segmentsConfinedToTheCallerStayOnItsThread() {
        try (Arena arena = Arena.ofConfined()) {
            int m = 300, n = 200, k = 100;
            MemorySegment a = random(arena, (long) m * k, 7), b = random(arena, (long) k * n, 8);
            MemorySegment expected = FloatSegments.allocate(arena, (long) m * n);
            MemorySegment actual = FloatSegments.allocate(arena, (long) m * n);
            REFERENCE.gemm(false, false, m, n, k, 1f, a, 0, k, b, 0, n, 0f, expected, 0, n);
            FAST[1].gemm(false, false, m, n, k, 1f, a, 0, k, b, 0, n, 0f, actual, 0, n);
            assertRowsClose(expected, actual, expected, 0, n, m, n, k, "confined segments on 2 threads");
        }
    }

    @Test
    void heapSegmentsGiveTheSameProduct() {
        for (int n : new int[]{5, 70}) { // one vector wide and wider: both paths
            int m = 50, k = 40;
            float[] a = new float[m * k], b = new float[k * n];
            for (int i = 0; i < a.length; i++) a[i] = (float) Math.sin(i);
            for (int i = 0; i < b.length; i++) b[i] = (float) Math.cos(i);
            float[] expected = new float[m * n];
            REFERENCE.gemm(false, true, m, n, k, 1f, MemorySegment.ofArray(a), 0, k, MemorySegment.ofArray(b), 0, k,
                    0f, MemorySegment.ofArray(expected), 0, n);
            float maxRef = 0f;
            for (float value : expected) maxRef = Math.max(maxRef, Math.abs(value));
            double tolerance = 1e-5 * k * maxRef + 1e-6;
            for (Gemm gemm : FAST) {
                float[] actual = new float[m * n];
                gemm.gemm(false, true, m, n, k, 1f, MemorySegment.ofArray(a), 0, k, MemorySegment.ofArray(b), 0, k,
                        0f, MemorySegment.ofArray(actual), 0, n);
                for (int i = 0; i < actual.length; i++) {
                    assertEquals(expected[i], actual[i], tolerance, gemm.name() + " n=" + n + " element " + i);
                }
            }
        }
    }

    @Test
    void rejectsLeadingDimensionShorterThanARow() {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment x = FloatSegments.allocate(arena, 64);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> FAST[0].gemm(false, false, 4, 4, 4, 1f, x, 0, 3, x, 0, 4, 0f, x, 0, 4));
            assertTrue(e.getMessage().contains("lda=3"), e.getMessage());
        }
    }

    private static void checkAgainstReference(boolean transA, boolean transB, int m, int n, int k,
                                              float alpha, float beta, Layout layout, int seed) {
        int lda = (transA ? m : k) + layout.pad(), ldb = (transB ? k : n) + layout.pad(), ldc = n + layout.pad();
        long off = layout.offset();
        try (Arena arena = Arena.ofShared()) {
            MemorySegment a = random(arena, off + (long) (transA ? k : m) * lda, 3L * seed);
            MemorySegment b = random(arena, off + (long) (transB ? n : k) * ldb, 3L * seed + 1);
            MemorySegment initialC = random(arena, off + (long) m * ldc, 3L * seed + 2);
            MemorySegment expected = copy(arena, initialC);
            REFERENCE.gemm(transA, transB, m, n, k, alpha, a, off, lda, b, off, ldb, beta, expected, off, ldc);
            for (Gemm gemm : FAST) {
                MemorySegment actual = copy(arena, initialC);
                gemm.gemm(transA, transB, m, n, k, alpha, a, off, lda, b, off, ldb, beta, actual, off, ldc);
                String what = describe(gemm, threadsOf(gemm), transA, transB, m, n, k, alpha, beta) + " " + layout;
                assertRowsClose(expected, actual, initialC, off, ldc, m, n, k, what);
            }
        }
    }

    private static void checkBatchAgainstReference(boolean transA, boolean transB, int m, int n, int k, int batch,
                                                   boolean shareB, float beta, int seed) {
        int lda = transA ? m : k, ldb = transB ? k : n, ldc = n + 1;
        long strideA = (long) m * k + 3, strideB = shareB ? 0 : (long) k * n + 5, strideC = (long) m * ldc + 2;
        long offA = 1, offB = 2, offC = 3;
        try (Arena arena = Arena.ofShared()) {
            MemorySegment a = random(arena, offA + strideA * batch, 5L * seed);
            MemorySegment b = random(arena, offB + (long) k * n + strideB * batch, 5L * seed + 1);
            MemorySegment initialC = random(arena, offC + strideC * batch, 5L * seed + 2);
            MemorySegment expected = copy(arena, initialC);
            for (int i = 0; i < batch; i++) {
                REFERENCE.gemm(transA, transB, m, n, k, 1.25f, a, offA + i * strideA, lda, b, offB + i * strideB, ldb,
                        beta, expected, offC + i * strideC, ldc);
            }
            for (Gemm gemm : FAST) {
                MemorySegment actual = copy(arena, initialC);
                gemm.gemmBatched(transA, transB, m, n, k, 1.25f, a, offA, lda, strideA, b, offB, ldb, strideB,
                        beta, actual, offC, ldc, strideC, batch);
                // Comparing the whole segment also proves the gaps between batch items are left alone.
                long length = FloatSegments.length(initialC);
                assertRowsClose(expected, actual, initialC, 0, length, 1, (int) length, k,
                        "batched " + describe(gemm, threadsOf(gemm), transA, transB, m, n, k, 1.25f, beta) + " shareB=" + shareB);
            }
        }
    }

    private static int threadsOf(Gemm gemm) {
        return gemm == FAST[0] ? 1 : 2;
    }

    private static String at(Gemm gemm, int m, int n, int k, int i, int j) {
        return gemm.name() + "(" + threadsOf(gemm) + " threads) " + m + "×" + n + "×" + k + " C[" + i + "][" + j + "]";
    }
}
