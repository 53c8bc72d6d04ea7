package amalgam.kernels.cuda;

import amalgam.kernels.Backend;
import amalgam.kernels.BackendConformanceTest;
import amalgam.kernels.FloatSegments;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link CudaBackend} against the reference through the shared {@link BackendConformanceTest}, with its
 * tolerances unchanged: the kernels compute transcendentals, softmax and layer norm in double and round once,
 * like the reference. Every test skips, with the reason, where there is no usable GPU.
 */
class CudaBackendTest extends BackendConformanceTest {

    private CudaBackend cuda;

    @BeforeEach
    void requireGpu() {
        cuda = new CudaBackend(CudaTestSupport.assumeCuda());
    }

    @Override
    protected Backend backend() {
        return cuda;
    }

    @Test
    void gemmDelegatesToTheFp32Kernel() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = FloatSegments.of(arena, 1, 2, 3, 4, 5, 6);
            MemorySegment b = FloatSegments.of(arena, 1, 2, 3, 4, 5, 6);
            MemorySegment c = FloatSegments.allocate(arena, 4);
            cuda.gemm(false, true, 2, 2, 3, 1f, a, 0, 3, b, 0, 3, 0f, c, 0, 2);
            assertEquals(14f, FloatSegments.get(c, 0));
            assertEquals(32f, FloatSegments.get(c, 1));
            assertEquals(32f, FloatSegments.get(c, 2));
            assertEquals(77f, FloatSegments.get(c, 3));
        }
    }
}
