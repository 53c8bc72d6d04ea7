package amalgam.kernels.cpu;

import java.lang.foreign.MemorySegment;
import java.util.function.IntConsumer;

/**
 * One matrix–vector product, or a product of a few rows ({@link VectorGemv}) cut into runs of outputs, one per pool
 * index, so each thread streams its own part of the matrix. Reused by the thread that owns it, so a parallel call allocates no capturing
 * lambda.
 */
final class GemvTask implements IntConsumer {

    /** Parts start on multiples of this many outputs: with m == 1, whole cache lines of C per thread. */
    static final int UNIT = 64;
    /** A part is kept at least this many outputs, so each thread's runs of W are long enough to stream. */
    static final int MIN_PART_EXTENT = 256;
    private static final ThreadLocal<GemvTask> PER_THREAD = ThreadLocal.withInitial(GemvTask::new);

    private final GemmCall call = new GemmCall();
    private int outputs, parts, units;

    static GemvTask forThisThread() {
        return PER_THREAD.get();
    }

    /** Prepares the split of C's one row or column; returns the number of parts to hand to the pool. */
    int prepare(boolean transA, boolean transB, int m, int n, int k, float alpha,
                MemorySegment a, long aOff, int lda, MemorySegment b, long bOff, int ldb,
                float beta, MemorySegment c, long cOff, int ldc, int threads) {
        call.set(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
        this.outputs = VectorGemv.outputs(m, n);
        this.units = (outputs + UNIT - 1) / UNIT;
        // A few parts per thread, as SplitGemmTask does, so a thread that loses its core to another process
        // leaves its share to the others; each part only re-gathers x (k floats), so small parts cost little.
        // Sums of W's rows read each row in runs as wide as the part: below a block of sums they shorten.
        int minExtent = VectorGemv.dotsRows(transA, transB, m, n) ? MIN_PART_EXTENT : VectorGemv.SUM_BLOCK;
        int wanted = Math.max(threads, Math.min(SplitGemmTask.PARTS_PER_THREAD * threads, outputs / minExtent));
        this.parts = Math.min(wanted, units);
        return parts;
    }

    /** Drops the references to the caller's segments once the call is over. */
    void release() {
        call.release();
    }

    @Override
    public void accept(int part) {
        int from = (int) ((long) units * part / parts) * UNIT;
        int to = Math.min(outputs, (int) ((long) units * (part + 1) / parts) * UNIT);
        if (from >= to) return;
        GemmCall g = call;
        VectorGemv.multiply(g.transA, g.transB, g.m, g.n, g.k, g.alpha, g.a, g.aOff, g.lda, g.b, g.bOff, g.ldb,
                g.beta, g.c, g.cOff, g.ldc, from, to);
    }
}
