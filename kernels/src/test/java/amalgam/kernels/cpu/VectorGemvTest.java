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
import static amalgam.kernels.cpu.GemmParity.nans;
import static amalgam.kernels.cpu.GemmParity.random;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link VectorGemm} with one column or up to four rows of C, the shapes {@link VectorGemv} and
 * {@link FewRowsGemv} take, against {@link ScalarGemm}: k and the other side over {1, 7, 33, 257, 4099} (vector
 * tails, the four-row
 * passes' tails, several blocks of sums, both the one-thread and the split path), every transpose, offsets and
 * padded leading dimensions, alpha ≠ 1 and beta ∈ {0, 1, 0.5}, on 1 and 2 threads. With beta = 0, C starts
 * full of NaN, which must not leak.
 *
 * <p>Tolerance as in {@link VectorGemmTest}: {@code 1e-5 · k · max|ref| + 1e-6}, the sums being taken in
 * another order and with FMA. Everything around C (padding, the offset) must come back bit for bit.
 */
class VectorGemvTest {

    private static final int[] SIZES = {1, 7, 33, 257, 4096 + 3};
    /** The sizes, and 24: k mod (two vectors) ≥ one vector, for 8 and 16 lanes, takes the one-vector step. */
    private static final int[] K_SIZES = {1, 7, 24, 33, 257, 4096 + 3};
    private static final float[] BETAS = {0f, 1f, 0.5f};
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
    void oneRowOfCMatchesReferenceOnAwkwardSizes() {
        int caseNumber = 0;
        for (int n : SIZES) {
            for (int k : K_SIZES) {
                caseNumber = checkEveryTransposeAgainstReference(1, n, k, caseNumber);
            }
        }
    }

    @Test
    void oneColumnOfCMatchesReferenceOnAwkwardSizes() {
        int caseNumber = 500;
        for (int m : SIZES) {
            for (int k : K_SIZES) {
                if ((long) m * k > 1 << 22) continue; // 4099 × 4099 adds only time to the one-row tests' cover
                caseNumber = checkEveryTransposeAgainstReference(m, 1, k, caseNumber);
            }
        }
    }

    @Test
    void aFewRowsOfCMatchReferenceOnAwkwardSizes() {
        int caseNumber = 800;
        for (int m : new int[]{2, 3, 4}) {
            for (int n : SIZES) {
                for (int k : m == 3 ? new int[]{7, 257} : K_SIZES) {
                    if ((long) n * k > 1 << 22) continue; // 4099 × 4099 adds only time to the one-row tests' cover
                    caseNumber = checkEveryTransposeAgainstReference(m, n, k, caseNumber);
                }
            }
        }
    }

    @Test
    void everyBetaOnTheSplitPath() {
        // 4099 × 300 is past the parallel threshold, so the two-thread gemm splits C's row (or column).
        int caseNumber = 1000;
        for (int[] shape : new int[][]{{1, 4096 + 3}, {4096 + 3, 1}, {3, 4096 + 3}}) {
            for (boolean transpose : FALSE_TRUE) {
                for (float beta : BETAS) {
                    for (Layout layout : new Layout[]{Layout.TIGHT, Layout.LOOSE}) {
                        checkAgainstReference(transpose, transpose, shape[0], shape[1], 300, 0.75f, beta, layout,
                                caseNumber++);
                    }
                }
            }
        }
    }

    /** Checks m×n×k under all four transposes; returns the next case number. */
    private static int checkEveryTransposeAgainstReference(int m, int n, int k, int caseNumber) {
        for (boolean transA : FALSE_TRUE) {
            for (boolean transB : FALSE_TRUE) {
                // Cycling beta by 3 and the layout by 2 meets every pairing of the two along the way.
                float beta = BETAS[caseNumber % BETAS.length];
                Layout layout = (caseNumber / BETAS.length) % 2 == 0 ? Layout.LOOSE : Layout.TIGHT;
                checkAgainstReference(transA, transB, m, n, k, -1.5f, beta, layout, caseNumber++);
            }
        }
        return caseNumber;
    }

    @Test
    void batchedOneRowAndOneColumnProductsMatchReference() {
        int k = 257, batch = 9;
        for (int[] shape : new int[][]{{1, 33}, {33, 1}, {3, 33}}) {
            int m = shape[0], n = shape[1];
            for (boolean transA : FALSE_TRUE) {
                for (boolean transB : FALSE_TRUE) {
                    int lda = (transA ? m : k) + 2, ldb = (transB ? k : n) + 1, ldc = n + 3;
                    long strideA = (long) (transA ? k : m) * lda + 3, strideB = (long) (transB ? n : k) * ldb + 5;
                    // Items of one row leave a gap; items of more rows follow on, so that all the items' rows
                    // are the rows of one (batch·m)×n matrix and one check covers them and their padding.
                    long strideC = m == 1 ? ldc + 2 : (long) m * ldc;
                    try (Arena arena = Arena.ofShared()) {
                        MemorySegment a = random(arena, 1 + strideA * batch, 11);
                        MemorySegment b = random(arena, 2 + strideB * batch, 12);
                        MemorySegment initialC = random(arena, 3 + strideC * batch, 13);
                        MemorySegment expected = copy(arena, initialC);
                        for (int i = 0; i < batch; i++) {
                            REFERENCE.gemm(transA, transB, m, n, k, 1.25f, a, 1 + i * strideA, lda,
                                    b, 2 + i * strideB, ldb, 0.5f, expected, 3 + i * strideC, ldc);
                        }
                        for (Gemm gemm : FAST) {
                            MemorySegment actual = copy(arena, initialC);
                            gemm.gemmBatched(transA, transB, m, n, k, 1.25f, a, 1, lda, strideA, b, 2, ldb, strideB,
                                    0.5f, actual, 3, ldc, strideC, batch);
                            String what = "batched " + describe(gemm, threadsOf(gemm), transA, transB, m, n, k, 1.25f, 0.5f);
                            if (m == 1) assertRowsClose(expected, actual, initialC, 3, strideC, batch, n, k, what);
                            else assertRowsClose(expected, actual, initialC, 3, ldc, batch * m, n, k, what);
                        }
                    }
                }
            }
        }
    }

    @Test
    void heapSegmentsGiveTheSameProduct() {
        int n = 300, k = 3000; // past the parallel threshold: the two-thread gemm splits the heap segments too
        float[] x = new float[k], w = new float[n * k];
        for (int i = 0; i < x.length; i++) x[i] = (float) Math.sin(i);
        for (int i = 0; i < w.length; i++) w[i] = (float) Math.cos(i);
        MemorySegment xs = MemorySegment.ofArray(x), ws = MemorySegment.ofArray(w);
        for (boolean transB : FALSE_TRUE) {
            int ldb = transB ? k : n;
            float[] expected = new float[n];
            REFERENCE.gemm(false, transB, 1, n, k, 1f, xs, 0, k, ws, 0, ldb, 0f, MemorySegment.ofArray(expected), 0, n);
            float maxRef = 0f;
            for (float value : expected) maxRef = Math.max(maxRef, Math.abs(value));
            for (Gemm gemm : FAST) {
                float[] actual = new float[n];
                gemm.gemm(false, transB, 1, n, k, 1f, xs, 0, k, ws, 0, ldb, 0f, MemorySegment.ofArray(actual), 0, n);
                for (int j = 0; j < n; j++) {
                    assertEquals(expected[j], actual[j], 1e-5 * k * maxRef + 1e-6,
                            describe(gemm, threadsOf(gemm), false, transB, 1, n, k, 1f, 0f) + " heap, column " + j);
                }
            }
        }
    }

    @Test
    void handCheckedRowTimesMatrix() {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment x = FloatSegments.of(arena, 1, 2, 3);                  // 1×3
            MemorySegment w = FloatSegments.of(arena, 7, 8, 9, 10, 11, 12);     // 3×2, or read as 2×3
            for (Gemm gemm : FAST) {
                MemorySegment c = FloatSegments.of(arena, 1, Float.NaN);
                gemm.gemm(false, false, 1, 2, 3, 2f, x, 0, 3, w, 0, 2, 0f, c, 0, 2);
                // [1 2 3]·[[7 8] [9 10] [11 12]] = [58 64], times 2; beta = 0 ignores the NaN.
                assertEquals(116f, FloatSegments.get(c, 0));
                assertEquals(128f, FloatSegments.get(c, 1));
                gemm.gemm(false, true, 1, 2, 3, 1f, x, 0, 3, w, 0, 3, -1f, c, 0, 2);
                // [1 2 3]·[[7 8 9] [10 11 12]]ᵀ = [50 68], minus the old C.
                assertEquals(50f - 116f, FloatSegments.get(c, 0));
                assertEquals(68f - 128f, FloatSegments.get(c, 1));
            }
        }
    }

    private static void checkAgainstReference(boolean transA, boolean transB, int m, int n, int k,
                                              float alpha, float beta, Layout layout, int seed) {
        int lda = (transA ? m : k) + layout.pad(), ldb = (transB ? k : n) + layout.pad(), ldc = n + layout.pad();
        long off = layout.offset();
        try (Arena arena = Arena.ofShared()) {
            MemorySegment a = random(arena, off + (long) (transA ? k : m) * lda, 3L * seed);
            MemorySegment b = random(arena, off + (long) (transB ? n : k) * ldb, 3L * seed + 1);
            long cLength = off + (long) m * ldc;
            MemorySegment initialC = beta == 0f ? nans(arena, cLength) : random(arena, cLength, 3L * seed + 2);
            MemorySegment expected = copy(arena, initialC);
            REFERENCE.gemm(transA, transB, m, n, k, alpha, a, off, lda, b, off, ldb, beta, expected, off, ldc);
            for (Gemm gemm : FAST) {
                MemorySegment actual = copy(arena, initialC);
                gemm.gemm(transA, transB, m, n, k, alpha, a, off, lda, b, off, ldb, beta, actual, off, ldc);
                assertRowsClose(expected, actual, initialC, off, ldc, m, n, k,
                        describe(gemm, threadsOf(gemm), transA, transB, m, n, k, alpha, beta) + " " + layout);
            }
        }
    }

    private static int threadsOf(Gemm gemm) {
        return gemm == FAST[0] ? 1 : 2;
    }
}
