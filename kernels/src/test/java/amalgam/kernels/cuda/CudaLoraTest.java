package amalgam.kernels.cuda;

import amalgam.kernels.FloatSegments;
import amalgam.kernels.scalar.ScalarGemm;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static amalgam.kernels.cuda.CudaTestSupport.assertClose;
import static amalgam.kernels.cuda.CudaTestSupport.random;

/**
 * The fused LoRA forward against its definition composed from ScalarGemm: y = x·W0ᵀ + s·(x·Aᵀ)·Bᵀ.
 * Inputs are in [−1, 1) and sums have at most in + r ≤ 273 terms of magnitude below 1: the FP32 rounding
 * error of any summation order is typically ~1e-6 and at worst k·2⁻²⁴·Σ|terms| ≈ 1e-3; 1e-4 absolute plus
 * 1e-4 relative sits between, while any indexing mistake shows up as an error of order 1.
 */
class CudaLoraTest {

    private CudaLora lora;

    @BeforeEach
    void requireGpu() {
        lora = new CudaLora(CudaTestSupport.assumeCuda());
    }

    private void check(int m, int in, int out, int rank, float scale) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment x = random(arena, (long) m * in, 41), w0 = random(arena, (long) out * in, 42);
            MemorySegment a = random(arena, (long) rank * in, 43), b = random(arena, (long) out * rank, 44);
            MemorySegment expected = FloatSegments.allocate(arena, (long) m * out);
            MemorySegment t = FloatSegments.allocate(arena, (long) m * rank);
            ScalarGemm gemm = new ScalarGemm();
            gemm.gemm(false, true, m, out, in, 1f, x, 0, in, w0, 0, in, 0f, expected, 0, out);
            if (rank > 0) {
                gemm.gemm(false, true, m, rank, in, scale, x, 0, in, a, 0, in, 0f, t, 0, rank);
                gemm.gemm(false, true, m, out, rank, 1f, t, 0, rank, b, 0, rank, 1f, expected, 0, out);
            }
            MemorySegment actual = FloatSegments.allocate(arena, (long) m * out);
            lora.forward(m, in, out, rank, scale, x, w0, a, b, actual);
            assertClose("lora " + m + "×" + in + "→" + out + " r=" + rank, expected, actual, 0, (long) m * out, 1e-4, 1e-4);
        }
    }

    @Test
    void matchesTheComposedDefinition() {
        check(33, 65, 47, 4, 2f);
        check(1, 1, 1, 1, 0.5f);
        check(130, 257, 129, 16, 0.125f);
    }

    @Test
    void rankZeroIsTheBaseLayer() {
        check(9, 20, 11, 0, 1f);
    }
}
