package amalgam.kernels.cpu;

import java.lang.foreign.MemorySegment;

/**
 * The arguments of one GEMM call (the {@link amalgam.kernels.Gemm} contract's), held by the parallel tasks that
 * cut it into parts ({@link SplitGemmTask}, {@link GemvTask}, {@link BatchedGemmTask}). Mutable and reused
 * call after call by the task that owns it, so a parallel GEMM allocates neither a capturing lambda nor a record.
 */
final class GemmCall {

    boolean transA, transB;
    int m, n, k, lda, ldb, ldc;
    float alpha, beta;
    MemorySegment a, b, c;
    long aOff, bOff, cOff;

    void set(boolean transA, boolean transB, int m, int n, int k, float alpha,
             MemorySegment a, long aOff, int lda, MemorySegment b, long bOff, int ldb,
             float beta, MemorySegment c, long cOff, int ldc) {
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
    }

    /** Drops the references to the caller's segments once the call is over. */
    void release() {
        a = b = c = null;
    }
}
