package amalgam.kernels.scalar;

import amalgam.kernels.Gemm;
import amalgam.kernels.Precision;

import java.lang.foreign.MemorySegment;

/**
 * The reference GEMM: the textbook triple loop, one dot product per output accumulated in order in double
 * and rounded once on store. Written for clarity, not speed: every fast GEMM is tested against it.
 *
 * <p>In {@link Precision#F64} mode the matrices hold doubles (for gradient checks); the no-argument
 * constructor means {@link Precision#F32}.
 */
public final class ScalarGemm implements Gemm {

    private final Precision precision;

    public ScalarGemm() {
        this(Precision.F32);
    }

    public ScalarGemm(Precision precision) {
        this.precision = precision;
    }

    public Precision precision() {
        return precision;
    }

    @Override
    public String name() {
        return "scalar";
    }

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                     MemorySegment a, long aOffset, int lda,
                     MemorySegment b, long bOffset, int ldb,
                     float beta, MemorySegment c, long cOffset, int ldc) {
        Precision p = precision;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double sum = 0;
                for (int q = 0; q < k; q++) {
                    long ai = transA ? aOffset + (long) q * lda + i : aOffset + (long) i * lda + q;
                    long bi = transB ? bOffset + (long) j * ldb + q : bOffset + (long) q * ldb + j;
                    sum += p.get(a, ai) * p.get(b, bi);
                }
                long ci = cOffset + (long) i * ldc + j;
                double value = alpha * sum;
                // BLAS convention: beta == 0 overwrites C without reading it.
                if (beta != 0f) value += beta * p.get(c, ci);
                p.set(c, ci, value);
            }
        }
    }
}
