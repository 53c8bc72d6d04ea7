package amalgam.kernels.cpu;

import java.lang.foreign.MemorySegment;
import java.util.function.IntConsumer;

/**
 * A batch of small GEMMs spread over the pool: each pool index runs a contiguous run of batch items on one
 * thread, which pays better than splitting each small product. Reused by the thread that owns it, so a
 * batched call allocates no capturing lambda.
 */
final class BatchedGemmTask implements IntConsumer {

    private static final ThreadLocal<BatchedGemmTask> PER_THREAD = ThreadLocal.withInitial(BatchedGemmTask::new);

    private final GemmCall call = new GemmCall();
    private int batch, parts;
    private long strideA, strideB, strideC;

    static BatchedGemmTask forThisThread() {
        return PER_THREAD.get();
    }

    /** Prepares the batch; returns the number of parts to hand to the pool. */
    int prepare(boolean transA, boolean transB, int m, int n, int k, float alpha,
                MemorySegment a, long aOff, int lda, long strideA,
                MemorySegment b, long bOff, int ldb, long strideB,
                float beta, MemorySegment c, long cOff, int ldc, long strideC, int batch, int parts) {
        call.set(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
        this.strideA = strideA;
        this.strideB = strideB;
        this.strideC = strideC;
        this.batch = batch;
        this.parts = Math.min(parts, batch);
        return this.parts;
    }

    /** Drops the references to the caller's segments once the call is over. */
    void release() {
        call.release();
    }

    @Override
    public void accept(int part) {
        int from = (int) ((long) batch * part / parts);
        int to = (int) ((long) batch * (part + 1) / parts);
        GemmCall g = call;
        for (int i = from; i < to; i++) {
            VectorGemm.multiplyOnThisThread(g.transA, g.transB, g.m, g.n, g.k, g.alpha,
                    g.a, g.aOff + i * strideA, g.lda, g.b, g.bOff + i * strideB, g.ldb,
                    g.beta, g.c, g.cOff + i * strideC, g.ldc);
        }
    }
}
