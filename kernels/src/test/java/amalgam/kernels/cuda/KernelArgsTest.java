package amalgam.kernels.cuda;

import jcuda.driver.CUdeviceptr;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The signature a launch is checked against is built from the calls, in order (no GPU needed). */
class KernelArgsTest {

    @Test
    void signatureListsTheKindsInOrder() {
        KernelArgs args = KernelArgs.of().i32(1).i64(2).f32(3f).f64(4.0).ptr(new CUdeviceptr()).ptr(null)
                .i64s(new long[25]);
        assertEquals("i32 i64 f32 f64 ptr ptr i64x25", args.signature());
    }

    @Test
    void theStridedKernelsTakeTheStructStridedLayoutPacks() {
        long[] packed = StridedLayout.of(new int[] {2, 3}, new long[] {3, 1}, new long[] {0, 1}).pack();
        String signature = KernelArgs.of().i32(0).i64(6).i64s(packed).ptr(null).ptr(null).ptr(null).signature();
        assertEquals(CudaKernels.BINARY_STRIDED.signature(), signature);
    }
}
