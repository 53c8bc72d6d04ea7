package amalgam.kernels.ffm;

import amalgam.kernels.FloatSegments;
import amalgam.kernels.Gemm;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;

/**
 * One seeded GEMM problem laid out the awkward way: operands start at an offset, rows are padded beyond
 * their width, and every element outside the matrices holds a sentinel. Padding in A and B is NaN, so a
 * kernel that reads it poisons C; padding in C must come back unchanged, so a kernel that writes it fails.
 */
record GemmProblem(boolean transA, boolean transB, int m, int n, int k, float alpha, float beta,
                   int batch, long strideA, long strideB, long strideC,
                   float[] a, int lda, float[] b, int ldb, float[] c, int ldc) {

    static final int OFFSET = 3;
    static final float C_SENTINEL = -12345.5f;

    static GemmProblem random(long seed, boolean transA, boolean transB, int m, int n, int k,
                              float alpha, float beta, int pad, int batch) {
        Random random = new Random(seed);
        int aCols = transA ? m : k, aRows = transA ? k : m;
        int bCols = transB ? k : n, bRows = transB ? n : k;
        int lda = aCols + pad, ldb = bCols + pad, ldc = n + pad;
        long strideA = (long) aRows * lda + pad, strideB = (long) bRows * ldb + pad, strideC = (long) m * ldc + pad;
        float[] a = operand(random, OFFSET, aRows, aCols, lda, strideA, batch, Float.NaN);
        float[] b = operand(random, OFFSET, bRows, bCols, ldb, strideB, batch, Float.NaN);
        float[] c = operand(random, OFFSET, m, n, ldc, strideC, batch, C_SENTINEL);
        return new GemmProblem(transA, transB, m, n, k, alpha, beta, batch, strideA, strideB, strideC,
                a, lda, b, ldb, c, ldc);
    }

    /** Random values in [-1, 1) inside the matrices, {@code fill} everywhere else. */
    private static float[] operand(Random random, int offset, int rows, int cols, int ld, long stride, int batch,
                                   float fill) {
        float[] values = new float[(int) (offset + stride * batch + 2)];
        java.util.Arrays.fill(values, fill);
        for (int t = 0; t < batch; t++) {
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < cols; j++) {
                    values[(int) (offset + t * stride + (long) i * ld + j)] = random.nextFloat() * 2 - 1;
                }
            }
        }
        return values;
    }

    float aAt(int t, int i, int p) {
        return transA ? a[(int) (OFFSET + t * strideA + (long) p * lda + i)]
                : a[(int) (OFFSET + t * strideA + (long) i * lda + p)];
    }

    float bAt(int t, int p, int j) {
        return transB ? b[(int) (OFFSET + t * strideB + (long) j * ldb + p)]
                : b[(int) (OFFSET + t * strideB + (long) p * ldb + j)];
    }

    int cIndex(int t, int i, int j) {
        return (int) (OFFSET + t * strideC + (long) i * ldc + j);
    }

    /** C after running {@code gemm} (batched when batch &gt; 1) on off-heap copies of the operands. */
    float[] run(Gemm gemm) {
        return run(gemm, false);
    }

    /** Like {@link #run(Gemm)}, on segments over Java arrays when {@code onHeap}. */
    float[] run(Gemm gemm, boolean onHeap) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment as = onHeap ? MemorySegment.ofArray(a.clone()) : FloatSegments.of(arena, a);
            MemorySegment bs = onHeap ? MemorySegment.ofArray(b.clone()) : FloatSegments.of(arena, b);
            MemorySegment cs = onHeap ? MemorySegment.ofArray(c.clone()) : FloatSegments.of(arena, c);
            if (batch == 1) {
                gemm.gemm(transA, transB, m, n, k, alpha, as, OFFSET, lda, bs, OFFSET, ldb, beta, cs, OFFSET, ldc);
            } else {
                gemm.gemmBatched(transA, transB, m, n, k, alpha, as, OFFSET, lda, strideA, bs, OFFSET, ldb,
                        strideB, beta, cs, OFFSET, ldc, strideC, batch);
            }
            return FloatSegments.toArray(cs, 0, c.length);
        }
    }

    /**
     * A bound on the rounding error of one element of C, for two fp32 implementations summing in different
     * orders: each may be off by about k·ε times the sum of the magnitudes of the terms.
     */
    double tolerance(int t, int i, int j) {
        double magnitude = 0;
        for (int p = 0; p < k; p++) magnitude += Math.abs((double) aAt(t, i, p) * bAt(t, p, j));
        magnitude = Math.abs(alpha) * magnitude + Math.abs(beta * c[cIndex(t, i, j)]);
        return 2 * (k + 2) * Math.ulp(1f) * magnitude + 1e-30;
    }
}
