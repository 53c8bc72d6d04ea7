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

    private boolean transA, transB;
    private int m, n, k, lda, ldb, ldc, batch, parts;
    private float alpha, beta;
    private MemorySegment a, b, c;
    private long aOff, bOff, cOff, strideA, strideB, strideC;

    static BatchedGemmTask forThisThread() {
        return PER_THREAD.get();
    }

    /** Prepares the batch; returns the number of parts to hand to the pool. */
    int prepare(boolean transA, boolean transB, int m, int n, int k, float alpha,
                MemorySegment a, long aOff, int lda, long strideA,
                MemorySegment b, long bOff, int ldb, long strideB,
                float beta, MemorySegment c, long cOff, int ldc, long strideC, int batch, int parts) {
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
        this.strideA = strideA;
        this.strideB = strideB;
        this.strideC = strideC;
        this.batch = batch;
        this.parts = Math.min(parts, batch);
        return this.parts;
    }

    /** Drops the references to the caller's segments once the call is over. */
    void release() {
        a = b = c = null;
    }

    @Override
    public void accept(int part) {
        int from = (int) ((long) batch * part / parts);
        int to = (int) ((long) batch * (part + 1) / parts);
        for (int i = from; i < to; i++) {
            VectorGemm.multiplyOnThisThread(transA, transB, m, n, k, alpha,
                    a, aOff + i * strideA, lda, b, bOff + i * strideB, ldb,
                    beta, c, cOff + i * strideC, ldc);
        }
    }
}
