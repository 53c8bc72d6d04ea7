package amalgam.kernels.cpu;

import java.lang.foreign.MemorySegment;

import static amalgam.kernels.cpu.MicroKernel.MR;
import static amalgam.kernels.cpu.MicroKernel.NR;

/**
 * One thread's GEMM in the GotoBLAS/BLIS loop order: a kc×nc block of B is packed once and streamed from
 * L3/L2, an mc×kc block of A is packed and kept in L2, and the micro-kernel sweeps MR×NR tiles of C with the
 * current NR-column sliver of B hot in L1.
 */
final class BlockedGemm {

    /** Depth of a packed block: a 256×NR sliver of B (16 KiB with AVX2, 32 KiB with AVX-512) stays in L1. */
    static final int KC = 256;
    /** Rows of A per packed block, a multiple of both tiles' rows: 144×256 floats = 144 KiB, inside a 512 KiB L2. */
    static final int MC = 144;
    /** Columns of B per packed block: 256×2048 floats = 2 MiB, shared L3 territory. */
    static final int NC = 2048;

    private BlockedGemm() {}

    /** C = alpha·op(A)·op(B) + beta·C for m, n, k ≥ 1, all on the calling thread. */
    static void multiply(boolean transA, boolean transB, int m, int n, int k, float alpha,
                         MemorySegment a, long aOff, int lda,
                         MemorySegment b, long bOff, int ldb,
                         float beta, MemorySegment c, long cOff, int ldc) {
        GemmWorkspace ws = GemmWorkspace.current();
        int kcMax = Math.min(KC, k);
        float[] packedB = ws.packedB(kcMax * roundUp(Math.min(NC, n), NR));
        float[] packedA = ws.packedA(kcMax * roundUp(Math.min(MC, m), MR));
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                PanelPacker.packB(transB, b, bOff, ldb, pc, kc, jc, nc, packedB);
                // Only the first slice of k scales the old C; later slices add to what is there.
                float sliceBeta = pc == 0 ? beta : 1f;
                for (int ic = 0; ic < m; ic += MC) {
                    int mc = Math.min(MC, m - ic);
                    PanelPacker.packA(transA, a, aOff, lda, ic, mc, pc, kc, packedA, MR);
                    macroKernel(mc, nc, kc, packedA, packedB, alpha, sliceBeta,
                            c, cOff + (long) ic * ldc + jc, ldc, ws.tile);
                }
            }
        }
    }

    private static void macroKernel(int mc, int nc, int kc, float[] packedA, float[] packedB,
                                    float alpha, float beta, MemorySegment c, long cOff, int ldc, float[] tile) {
        for (int jr = 0; jr < nc; jr += NR) {
            int cols = Math.min(NR, nc - jr);
            int bStart = jr * kc;
            for (int ir = 0; ir < mc; ir += MR) {
                MicroKernel.multiply(kc, packedA, ir * kc, packedB, bStart, tile);
                TileWriter.write(tile, Math.min(MR, mc - ir), cols, alpha, beta, c, cOff + (long) ir * ldc + jr, ldc);
            }
        }
    }

    static int roundUp(int value, int multiple) {
        return (value + multiple - 1) / multiple * multiple;
    }
}
