package amalgam.kernels.scalar;

import amalgam.kernels.FloatSegments;
import amalgam.kernels.Gemm;

import java.lang.foreign.MemorySegment;

/**
 * The reference GEMM: the textbook triple loop, one dot product per output accumulated in order in fp32.
 * Written for clarity, not speed: every fast GEMM is tested against it.
 */
public final class ScalarGemm implements Gemm {

    @Override
    public String name() {
        return "scalar";
    }

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                     MemorySegment a, long aOffset, int lda,
                     MemorySegment b, long bOffset, int ldb,
                     float beta, MemorySegment c, long cOffset, int ldc) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float sum = 0f;
                for (int p = 0; p < k; p++) {
                    long ai = transA ? aOffset + (long) p * lda + i : aOffset + (long) i * lda + p;
                    long bi = transB ? bOffset + (long) j * ldb + p : bOffset + (long) p * ldb + j;
                    sum += FloatSegments.get(a, ai) * FloatSegments.get(b, bi);
                }
                long ci = cOffset + (long) i * ldc + j;
                float value = alpha * sum;
                // BLAS convention: beta == 0 overwrites C without reading it.
                if (beta != 0f) value += beta * FloatSegments.get(c, ci);
                FloatSegments.set(c, ci, value);
            }
        }
    }
}
