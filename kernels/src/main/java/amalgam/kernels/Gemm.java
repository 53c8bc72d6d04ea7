package amalgam.kernels;

import java.lang.foreign.MemorySegment;

/**
 * General matrix multiply on row-major fp32 matrices held in off-heap segments:
 * {@code C = alpha · op(A) · op(B) + beta · C}, with op(A) of shape m×k and op(B) of shape k×n.
 *
 * <p>Offsets are in elements, leading dimensions in elements (the row stride of the matrix as stored:
 * A is stored m×k with lda ≥ k when not transposed, k×m with lda ≥ m when transposed).
 *
 * <p>As in BLAS, {@code beta == 0} means C is only written, never read: NaN or Inf already in C do not
 * propagate. Otherwise NaN and Inf propagate as IEEE arithmetic says.
 */
public interface Gemm {

    /** Short name used on the command line and in benchmarks: scalar, vector, native, openblas, cuda. */
    String name();

    void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
              MemorySegment a, long aOffset, int lda,
              MemorySegment b, long bOffset, int ldb,
              float beta, MemorySegment c, long cOffset, int ldc);

    /**
     * {@code batch} independent products; matrix {@code i} of each operand starts {@code i · stride}
     * elements after the operand's offset. A stride of 0 reuses one matrix for the whole batch.
     */
    default void gemmBatched(boolean transA, boolean transB, int m, int n, int k, float alpha,
                             MemorySegment a, long aOffset, int lda, long strideA,
                             MemorySegment b, long bOffset, int ldb, long strideB,
                             float beta, MemorySegment c, long cOffset, int ldc, long strideC,
                             int batch) {
        for (int i = 0; i < batch; i++) {
            gemm(transA, transB, m, n, k, alpha,
                    a, aOffset + i * strideA, lda,
                    b, bOffset + i * strideB, ldb,
                    beta, c, cOffset + i * strideC, ldc);
        }
    }
}
