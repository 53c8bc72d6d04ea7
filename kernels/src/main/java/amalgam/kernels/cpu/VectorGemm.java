package amalgam.kernels.cpu;

import amalgam.kernels.Gemm;
import amalgam.kernels.WorkerPool;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The fast CPU GEMM: Java Vector API, GotoBLAS/BLIS blocking (packed panels, cache-sized blocks, a
 * register-tiled FMA micro-kernel) and a split of C over the {@link WorkerPool}. Correct for any vector
 * width; tuned for 256- and 512-bit vectors.
 *
 * <p>One column or up to four rows of C (n == 1, or one to four tokens through a Linear layer) make a
 * matrix–vector product or close to one, bound by memory bandwidth: {@link VectorGemv} and {@link FewRowsGemv}
 * stream the matrix without packing it.
 *
 * <p>Products too small to repay a parallel start run on the calling thread; batches of small products run
 * whole items per thread. Packing buffers are per thread and only grow, so steady-state calls allocate nothing
 * here (the pool itself may allocate a little per parallel loop). Calls from several threads at once are safe:
 * all scratch state is per thread. Segments confined to the calling thread are computed on that thread alone.
 */
public final class VectorGemm implements Gemm {

    /** Below this many flops (2·m·n·k) a product runs on one thread: waking a worker costs a few µs. */
    static final long PARALLEL_MIN_FLOPS = 2L * 96 * 96 * 96;

    /** Most floats {@link SmallGemm} packs in one piece (1 MiB of A and B); beyond that cache blocks pay. */
    static final long SMALL_MAX_PACKED = 1 << 18;

    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    /** Never started: a segment it may access is one every pool worker may access (not thread-confined). */
    private static final Thread SOME_OTHER_THREAD = new Thread(() -> {});

    private final WorkerPool pool;

    public VectorGemm(WorkerPool pool) {
        this.pool = pool;
    }

    @Override
    public String name() {
        return "vector";
    }

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                     MemorySegment a, long aOffset, int lda,
                     MemorySegment b, long bOffset, int ldb,
                     float beta, MemorySegment c, long cOffset, int ldc) {
        checkShape(transA, transB, m, n, k, lda, ldb, ldc);
        if (m == 0 || n == 0) return;
        if (k == 0) {
            scale(m, n, beta, c, cOffset, ldc);
            return;
        }
        int threads = pool.threads();
        if (VectorGemv.applies(m, n)) {
            // A matrix–vector product: bound by streaming the matrix, which packing would only read twice.
            if (threads == 1 || 2L * m * n * k < PARALLEL_MIN_FLOPS || !shareable(a, b, c)) {
                VectorGemv.multiply(transA, transB, m, n, k, alpha, a, aOffset, lda, b, bOffset, ldb,
                        beta, c, cOffset, ldc, 0, VectorGemv.outputs(m, n));
                return;
            }
            GemvTask task = GemvTask.forThisThread();
            int parts = task.prepare(transA, transB, m, n, k, alpha, a, aOffset, lda, b, bOffset, ldb,
                    beta, c, cOffset, ldc, threads);
            try {
                pool.parallelFor(parts, task);
            } finally {
                task.release();
            }
            return;
        }
        if (threads == 1 || isSmall(m, n, k) || 2L * m * n * k < PARALLEL_MIN_FLOPS || !shareable(a, b, c)) {
            multiplyOnThisThread(transA, transB, m, n, k, alpha, a, aOffset, lda, b, bOffset, ldb,
                    beta, c, cOffset, ldc);
            return;
        }
        SplitGemmTask task = SplitGemmTask.forThisThread();
        task.prepare(transA, transB, m, n, k, alpha, a, aOffset, lda, b, bOffset, ldb, beta, c, cOffset, ldc, threads);
        try {
            task.run(pool);
        } finally {
            task.release();
        }
    }

    @Override
    public void gemmBatched(boolean transA, boolean transB, int m, int n, int k, float alpha,
                            MemorySegment a, long aOffset, int lda, long strideA,
                            MemorySegment b, long bOffset, int ldb, long strideB,
                            float beta, MemorySegment c, long cOffset, int ldc, long strideC,
                            int batch) {
        checkShape(transA, transB, m, n, k, lda, ldb, ldc);
        if (batch < 0) throw new IllegalArgumentException("gemmBatched: batch must be ≥ 0, got " + batch);
        int threads = pool.threads();
        boolean itemsAreSmall = 2L * m * n * k < PARALLEL_MIN_FLOPS * 8;
        if (threads == 1 || batch < threads || !itemsAreSmall || k == 0 || m == 0 || n == 0
                || !shareable(a, b, c)) {
            Gemm.super.gemmBatched(transA, transB, m, n, k, alpha, a, aOffset, lda, strideA,
                    b, bOffset, ldb, strideB, beta, c, cOffset, ldc, strideC, batch);
            return;
        }
        BatchedGemmTask task = BatchedGemmTask.forThisThread();
        // A few parts per thread so a thread slowed by a neighbour on the machine does not hold the rest up.
        int parts = task.prepare(transA, transB, m, n, k, alpha, a, aOffset, lda, strideA,
                b, bOffset, ldb, strideB, beta, c, cOffset, ldc, strideC, batch, 4 * threads);
        try {
            pool.parallelFor(parts, task);
        } finally {
            task.release();
        }
    }

    /** One product on the calling thread, by the path that suits its size; m, n, k ≥ 1. */
    static void multiplyOnThisThread(boolean transA, boolean transB, int m, int n, int k, float alpha,
                                     MemorySegment a, long aOffset, int lda,
                                     MemorySegment b, long bOffset, int ldb,
                                     float beta, MemorySegment c, long cOffset, int ldc) {
        if (VectorGemv.applies(m, n)) {
            VectorGemv.multiply(transA, transB, m, n, k, alpha, a, aOffset, lda, b, bOffset, ldb, beta, c, cOffset, ldc,
                    0, VectorGemv.outputs(m, n));
        } else if (isSmall(m, n, k)) {
            SmallGemm.multiply(transA, transB, m, n, k, alpha, a, aOffset, lda, b, bOffset, ldb,
                    beta, c, cOffset, ldc);
        } else {
            BlockedGemm.multiply(transA, transB, m, n, k, alpha, a, aOffset, lda, b, bOffset, ldb,
                    beta, c, cOffset, ldc);
        }
    }

    /**
     * C at most one vector wide: the blocked path's tiles are two vectors wide and would waste half their work
     * (measured: 17×16×17 at 32 GFLOP/s here against 21 blocked, with 16-lane vectors). For wider C the blocked
     * path was as fast or faster even at 24×24×24, so it takes everything else.
     */
    static boolean isSmall(int m, int n, int k) {
        return n <= MicroKernel.LANES && (long) (m + MicroKernel.LANES) * k <= SMALL_MAX_PACKED;
    }

    /** Segments from a confined arena can only be used on the calling thread, so their GEMM stays there. */
    private static boolean shareable(MemorySegment a, MemorySegment b, MemorySegment c) {
        return a.isAccessibleBy(SOME_OTHER_THREAD) && b.isAccessibleBy(SOME_OTHER_THREAD)
                && c.isAccessibleBy(SOME_OTHER_THREAD);
    }

    /** C = beta·C, what the product leaves when k == 0; beta == 0 writes zeros without reading C. */
    private static void scale(int m, int n, float beta, MemorySegment c, long cOffset, int ldc) {
        for (int i = 0; i < m; i++) {
            long row = cOffset + (long) i * ldc;
            for (int j = 0; j < n; j++) {
                float value = beta == 0f ? 0f : beta * c.getAtIndex(FLOAT, row + j);
                c.setAtIndex(FLOAT, row + j, value);
            }
        }
    }

    private static void checkShape(boolean transA, boolean transB, int m, int n, int k, int lda, int ldb, int ldc) {
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException("gemm: negative size m=" + m + " n=" + n + " k=" + k);
        }
        int aCols = transA ? m : k;
        int bCols = transB ? k : n;
        if (lda < aCols || ldb < bCols || ldc < n) {
            throw new IllegalArgumentException("gemm: leading dimension shorter than a row: lda=" + lda + " (needs ≥ "
                    + aCols + "), ldb=" + ldb + " (needs ≥ " + bCols + "), ldc=" + ldc + " (needs ≥ " + n + ")");
        }
    }
}
