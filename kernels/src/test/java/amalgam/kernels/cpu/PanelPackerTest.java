package amalgam.kernels.cpu;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;

import static amalgam.kernels.cpu.MicroKernel.MR;
import static amalgam.kernels.cpu.MicroKernel.NR;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The packed panels against their definition, element by element, so a packing bug shows here as a wrong index
 * rather than as a GEMM that is slightly off. Depths and widths straddle every vector length's blocks
 * (the in-register transposes take whole LANES×LANES blocks and leave the rest to the element-wise path),
 * with an offset and a leading dimension longer than a row. Run under AVX-512, AVX2 and 128-bit vectors.
 */
class PanelPackerTest {

    private static final int[] DEPTHS = {1, 4, 7, 8, 16, 33, 257};
    private static final int[] WIDTHS = {1, 7, NR - 1, NR, 2 * NR + 3};
    private static final int OFFSET = 5;
    private static final int PAD = 3;

    @Test
    void packedBHoldsOpBInSliversOfNrColumnsZeroPadded() {
        for (boolean transB : new boolean[] {false, true}) {
            for (int kc : DEPTHS) {
                for (int nc : WIDTHS) {
                    int p0 = 2, j0 = 1;
                    int k = p0 + kc, n = j0 + nc;
                    int ldb = (transB ? k : n) + PAD;
                    try (Arena arena = Arena.ofConfined()) {
                        MemorySegment b = randomSegment(arena, (long) OFFSET + (long) (transB ? n : k) * ldb, kc * 31 + nc);
                        float[] packed = new float[kc * BlockedGemm.roundUp(nc, NR)];
                        java.util.Arrays.fill(packed, Float.NaN);
                        PanelPacker.packB(transB, b, OFFSET, ldb, p0, kc, j0, nc, packed, 0);
                        for (int j = 0; j < BlockedGemm.roundUp(nc, NR); j++) {
                            for (int p = 0; p < kc; p++) {
                                float expected = j < nc ? opAt(b, transB, ldb, p0 + p, j0 + j) : 0f;
                                int at = (j / NR) * NR * kc + p * NR + j % NR;
                                assertEquals(expected, packed[at], () -> "transB=" + transB + " kc=" + kc + " nc=" + nc);
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void packedAHoldsOpAInSliversOfMrRowsZeroPadded() {
        for (boolean transA : new boolean[] {false, true}) {
            for (int kc : DEPTHS) {
                for (int mc : new int[] {1, MR - 1, MR, 2 * MR + 1, 33}) {
                    int i0 = 1, p0 = 2;
                    int m = i0 + mc, k = p0 + kc;
                    int lda = (transA ? m : k) + PAD;
                    try (Arena arena = Arena.ofConfined()) {
                        MemorySegment a = randomSegment(arena, (long) OFFSET + (long) (transA ? k : m) * lda, kc * 17 + mc);
                        float[] packed = new float[kc * BlockedGemm.roundUp(mc, MR)];
                        java.util.Arrays.fill(packed, Float.NaN);
                        PanelPacker.packA(transA, a, OFFSET, lda, i0, mc, p0, kc, packed, 0, MR);
                        for (int i = 0; i < BlockedGemm.roundUp(mc, MR); i++) {
                            for (int p = 0; p < kc; p++) {
                                // op(A)(i, p) is stored as A's (p, i) when transposed: opAt reads (row, column).
                                float expected = i < mc ? opAt(a, transA, lda, i0 + i, p0 + p) : 0f;
                                int at = (i / MR) * MR * kc + p * MR + i % MR;
                                assertEquals(expected, packed[at], () -> "transA=" + transA + " kc=" + kc + " mc=" + mc);
                            }
                        }
                    }
                }
            }
        }
    }

    /** Element (row, column) of op(X) for X stored row-major from OFFSET with leading dimension ld. */
    private static float opAt(MemorySegment x, boolean transposed, int ld, int row, int column) {
        long index = OFFSET + (transposed ? (long) column * ld + row : (long) row * ld + column);
        return x.getAtIndex(ValueLayout.JAVA_FLOAT, index);
    }

    private static MemorySegment randomSegment(Arena arena, long floats, long seed) {
        MemorySegment segment = arena.allocate(floats * Float.BYTES, 64);
        Random random = new Random(seed);
        for (long i = 0; i < floats; i++) segment.setAtIndex(ValueLayout.JAVA_FLOAT, i, random.nextFloat() - 0.5f);
        return segment;
    }
}
