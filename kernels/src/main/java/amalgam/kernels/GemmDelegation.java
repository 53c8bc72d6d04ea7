package amalgam.kernels;

import java.lang.foreign.MemorySegment;

/**
 * For backends whose matrix products are another {@link Gemm}'s: the forwarding written once. A backend
 * implements this beside {@link Backend} and only says which GEMM it computes with.
 */
public interface GemmDelegation extends Gemm {

    /** The GEMM every product of this backend runs on. */
    Gemm gemmKernel();

    @Override
    default void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                      MemorySegment a, long aOffset, int lda, MemorySegment b, long bOffset, int ldb,
                      float beta, MemorySegment c, long cOffset, int ldc) {
        gemmKernel().gemm(transA, transB, m, n, k, alpha, a, aOffset, lda, b, bOffset, ldb, beta, c, cOffset, ldc);
    }

    @Override
    default void gemmBatched(boolean transA, boolean transB, int m, int n, int k, float alpha,
                             MemorySegment a, long aOffset, int lda, long strideA,
                             MemorySegment b, long bOffset, int ldb, long strideB,
                             float beta, MemorySegment c, long cOffset, int ldc, long strideC, int batch) {
        gemmKernel().gemmBatched(transA, transB, m, n, k, alpha, a, aOffset, lda, strideA, b, bOffset, ldb, strideB,
                beta, c, cOffset, ldc, strideC, batch);
    }
}
