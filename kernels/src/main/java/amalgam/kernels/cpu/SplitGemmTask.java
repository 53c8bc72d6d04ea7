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

    private final GemmCall call = new GemmCall();
    private boolean splitRows;
    private int parts, units, unit;

    static SplitGemmTask forThisThread() {
        return PER_THREAD.get();
    }

    /** Prepares the split; returns the number of parts to hand to the pool. */
    int prepare(boolean transA, boolean transB, int m, int n, int k, float alpha,
                MemorySegment a, long aOff, int lda, MemorySegment b, long bOff, int ldb,
                float beta, MemorySegment c, long cOff, int ldc, int threads) {
        call.set(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
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
        call.release();
    }

    @Override
    public void accept(int part) {
        GemmCall g = call;
        int extent = splitRows ? g.m : g.n;
        int from = (int) ((long) units * part / parts) * unit;
        int to = Math.min(extent, (int) ((long) units * (part + 1) / parts) * unit);
        if (from >= to) return;
        int size = to - from;
        if (splitRows) {
            long aShift = g.transA ? from : (long) from * g.lda;
            BlockedGemm.multiply(g.transA, g.transB, size, g.n, g.k, g.alpha, g.a, g.aOff + aShift, g.lda,
                    g.b, g.bOff, g.ldb, g.beta, g.c, g.cOff + (long) from * g.ldc, g.ldc);
        } else {
            long bShift = g.transB ? (long) from * g.ldb : from;
            BlockedGemm.multiply(g.transA, g.transB, g.m, size, g.k, g.alpha, g.a, g.aOff, g.lda,
                    g.b, g.bOff + bShift, g.ldb, g.beta, g.c, g.cOff + from, g.ldc);
        }
    }
}
