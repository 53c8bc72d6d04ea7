package amalgam.kernels.cpu;

import java.lang.foreign.MemorySegment;
import java.util.function.IntConsumer;

/**
 * One GEMM cut into independent blocks of C, one per pool index: along M (each part gets its
 * own rows of A and C, all of B) or along N (its own columns of B and C, all of A). Cutting the larger side
 * keeps the operand every part re-packs the small one. The object is reused call after call by the thread
 * that owns it, so submitting a parallel GEMM allocates no capturing lambda.
 */
final class SplitGemmTask implements IntConsumer {

    static final int PARTS_PER_THREAD = 4;
    static final int MIN_PART_EXTENT = 128;
    private static final ThreadLocal<SplitGemmTask> PER_THREAD = ThreadLocal.withInitial(SplitGemmTask::new);

    private boolean transA, transB, splitRows;
    private int m, n, k, lda, ldb, ldc, parts, units, unit;
    private float alpha, beta;
    private MemorySegment a, b, c;
    private long aOff, bOff, cOff;

    static SplitGemmTask forThisThread() {
        return PER_THREAD.get();
    }

    /** Prepares the split; returns the number of parts to hand to the pool. */
    int prepare(boolean transA, boolean transB, int m, int n, int k, float alpha,
                MemorySegment a, long aOff, int lda, MemorySegment b, long bOff, int ldb,
                float beta, MemorySegment c, long cOff, int ldc, int threads) {
        this.transA = transA;
        this.transB = transB;
        this.m = m;
        this.n = n;
        this.k = k;
        this.alpha = alpha;
        this.beta = beta;
        this.a = a;
        this.b = b;
        this.c = c;
        this.aOff = aOff;
        this.bOff = bOff;
        this.cOff = cOff;
        this.lda = lda;
        this.ldb = ldb;
        this.ldc = ldc;
        this.splitRows = m >= n;
        // Parts are whole micro-tiles so no tile straddles two threads.
        this.unit = splitRows ? MicroKernel.MR : MicroKernel.NR;
        this.units = ((splitRows ? m : n) + unit - 1) / unit;
        // Up to a few parts per thread: the pool hands them out one at a time, so a thread that loses its core
        // to another process leaves its share to the others instead of holding the whole call up. But every
        // part re-packs the operand it shares, so a part is kept at least MIN_PART_EXTENT rows or columns.
        int extent = splitRows ? m : n;
        int wanted = Math.max(threads, Math.min(PARTS_PER_THREAD * threads, extent / MIN_PART_EXTENT));
        this.parts = Math.min(wanted, units);
        return parts;
    }

    /** Drops the references to the caller's segments once the call is over. */
    void release() {
        a = b = c = null;
    }

    @Override
    public void accept(int part) {
        int extent = splitRows ? m : n;
        int from = (int) ((long) units * part / parts) * unit;
        int to = Math.min(extent, (int) ((long) units * (part + 1) / parts) * unit);
        if (from >= to) return;
        int size = to - from;
        if (splitRows) {
            long aShift = transA ? from : (long) from * lda;
            BlockedGemm.multiply(transA, transB, size, n, k, alpha, a, aOff + aShift, lda,
                    b, bOff, ldb, beta, c, cOff + (long) from * ldc, ldc);
        } else {
            long bShift = transB ? (long) from * ldb : from;
            BlockedGemm.multiply(transA, transB, m, size, k, alpha, a, aOff, lda,
                    b, bOff + bShift, ldb, beta, c, cOff + from, ldc);
        }
    }
}
