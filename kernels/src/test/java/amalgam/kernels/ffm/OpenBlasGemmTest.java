package amalgam.kernels.ffm;

import amalgam.kernels.Gemm;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The system OpenBLAS's cblas_sgemm, bound through FFM, against the scalar reference. */
class OpenBlasGemmTest extends GemmParityTest {

    @Override
    protected Gemm gemm(int threads) {
        return new OpenBlasGemm(threads);
    }

    @Override
    protected boolean available() {
        return OpenBlasGemm.isAvailable();
    }

    @Override
    protected String unavailableReason() {
        return OpenBlasGemm.unavailableReason();
    }

    @Test
    void nameIsOpenblas() {
        assertEquals("openblas", new OpenBlasGemm(1).name());
    }
}
