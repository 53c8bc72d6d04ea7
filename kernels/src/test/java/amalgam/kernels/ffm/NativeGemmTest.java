package amalgam.kernels.ffm;

import amalgam.kernels.FloatSegments;
import amalgam.kernels.Gemm;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The C GEMM of native/cpu/gemm.c against the scalar reference, plus the checks that protect C from Java. */
class NativeGemmTest extends GemmParityTest {

    @Override
    protected Gemm gemm(int threads) {
        return new NativeGemm(threads);
    }

    @Override
    protected boolean available() {
        return NativeLibrary.isAvailable();
    }

    @Override
    protected String unavailableReason() {
        return NativeLibrary.unavailableReason();
    }

    @Test
    void nameIsNative() {
        assertEquals("native", new NativeGemm(1).name());
    }

    @Test
    void handCheckedProduct() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = FloatSegments.of(arena, 1, 2, 3, 4, 5, 6);     // 2×3
            MemorySegment b = FloatSegments.of(arena, 7, 8, 9, 10, 11, 12);  // 3×2
            MemorySegment c = FloatSegments.of(arena, 1, 1, 1, 1);
            new NativeGemm(1).gemm(false, false, 2, 2, 3, 1f, a, 0, 3, b, 0, 2, 2f, c, 0, 2);
            assertEquals(58 + 2, FloatSegments.get(c, 0));
            assertEquals(64 + 2, FloatSegments.get(c, 1));
            assertEquals(139 + 2, FloatSegments.get(c, 2));
            assertEquals(154 + 2, FloatSegments.get(c, 3));
        }
    }

    @Test
    void operandTooShortIsRejectedBeforeCSeesIt() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = FloatSegments.allocate(arena, 12), b = FloatSegments.allocate(arena, 12);
            MemorySegment c = FloatSegments.allocate(arena, 15);
            var gemm = new NativeGemm(1);
            IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class,
                    () -> gemm.gemm(false, false, 4, 4, 3, 1f, a, 0, 3, b, 0, 4, 0f, c, 0, 4));
            assertEquals("C: elements [0, 16) lie outside a segment of 15 floats", e.getMessage());
            assertThrows(IllegalArgumentException.class,
                    () -> gemm.gemm(false, false, 4, 3, 3, 1f, a, 0, 2, b, 0, 3, 0f, c, 0, 3));
        }
    }
}
