package amalgam.kernels.cpu;

import java.lang.foreign.MemorySegment;

import static amalgam.kernels.cpu.MicroKernel.MR;
import static amalgam.kernels.cpu.MicroKernel.NR;

/**
 * One thread's GEMM in the GotoBLAS/BLIS loop order: a kc×nc block of B is packed once and streamed from
 * L3/L2, an mc×kc block of A is packed and kept in L2, and the micro-kernel sweeps MR×NR tiles of C with the
 * current NR-column sliver of B hot in L1. When the rows fit one block (m ≤ MC: a prefill, a LoRA forward of a
 * few dozen tokens), each sliver of B is packed right before its one use instead.
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
        multiply(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, null, null);
    }

    /**
     * The same, where one operand may come packed already, whole, by {@link #packWholeA} or {@link #packWholeB}
     * (null: pack it here, block by block): the parts of a parallel GEMM share the operand they all read. Each part
     * packing it for itself had made n = m = k = 1024 on two threads take 17.5 ms where it now takes 12.6
     * (GemmBench, Zen 5, AVX-512).
     */
    static void multiply(boolean transA, boolean transB, int m, int n, int k, float alpha,
                         MemorySegment a, long aOff, int lda,
                         MemorySegment b, long bOff, int ldb,
                         float beta, MemorySegment c, long cOff, int ldc,
                         float[] wholeA, float[] wholeB) {
        GemmWorkspace ws = GemmWorkspace.current();
        int kcMax = Math.min(KC, k);
        // With one block of rows, each B sliver is used by that block alone: it is packed right before its use,
        // into one L1-sized buffer, instead of a whole block of B going out to L3 and coming back.
        boolean sliverBySliver = wholeB == null && m <= MC;
        float[] packedB = wholeB != null ? wholeB
                : ws.packedB(kcMax * (sliverBySliver ? NR : roundUp(Math.min(NC, n), NR)));
        float[] packedA = wholeA != null ? wholeA : ws.packedA(kcMax * roundUp(Math.min(MC, m), MR));
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                int bStart = wholeB != null ? wholeBlockB(jc, pc, nc, k) : 0;
                if (wholeB == null && !sliverBySliver) {
                    PanelPacker.packB(transB, b, bOff, ldb, pc, kc, jc, nc, packedB, 0);
                }
                // Only the first slice of k scales the old C; later slices add to what is there.
                float sliceBeta = pc == 0 ? beta : 1f;
                for (int ic = 0; ic < m; ic += MC) {
                    int mc = Math.min(MC, m - ic);
                    int aStart = wholeA != null ? wholeBlockA(ic, pc, kc, m) : 0;
                    if (wholeA == null) PanelPacker.packA(transA, a, aOff, lda, ic, mc, pc, kc, packedA, 0, MR);
                    long cBlock = cOff + (long) ic * ldc + jc;
                    if (!sliverBySliver) {
                        macroKernel(mc, nc, kc, packedA, aStart, packedB, bStart, alpha, sliceBeta,
                                c, cBlock, ldc, ws.tile);
                        continue;
                    }
                    for (int jr = 0; jr < nc; jr += NR) {
                        int cols = Math.min(NR, nc - jr);
                        PanelPacker.packB(transB, b, bOff, ldb, pc, kc, jc + jr, cols, packedB, 0);
                        macroKernel(mc, cols, kc, packedA, aStart, packedB, 0, alpha, sliceBeta,
                                c, cBlock + jr, ldc, ws.tile);
                    }
                }
            }
        }
    }

    /** Floats {@link #packWholeA} fills for an m×k op(A). */
    static long wholeSizeA(int m, int k) {
        return (long) roundUp(m, MR) * k;
    }

    /** Floats {@link #packWholeB} fills for a k×n op(B). */
    static long wholeSizeB(int n, int k) {
        return (long) roundUp(n, NR) * k;
    }

    /**
     * Packs rows [i0, i0 + rows) of op(A) (i0 a multiple of MR), every k block of them, where {@link #multiply}
     * looks for them in a whole packed A: block pc of all m rows starts at {@code pc · roundUp(m, MR)}.
     */
    static void packWholeA(boolean transA, MemorySegment a, long aOff, int lda, int m, int k,
                           int i0, int rows, float[] dst) {
        for (int pc = 0; pc < k; pc += KC) {
            int kc = Math.min(KC, k - pc);
            PanelPacker.packA(transA, a, aOff, lda, i0, rows, pc, kc, dst, wholeBlockA(i0, pc, kc, m), MR);
        }
    }

    /**
     * Packs columns [j0, j0 + cols) of op(B) (j0 a multiple of NR, the range inside one NC block), every k block
     * of them, where {@link #multiply} looks for them in a whole packed B: block (jc, pc) starts at
     * {@code jc · k + pc · roundUp(nc, NR)}.
     */
    static void packWholeB(boolean transB, MemorySegment b, long bOff, int ldb, int n, int k,
                           int j0, int cols, float[] dst) {
        int jc = j0 / NC * NC;
        int nc = Math.min(NC, n - jc);
        for (int pc = 0; pc < k; pc += KC) {
            int kc = Math.min(KC, k - pc);
            PanelPacker.packB(transB, b, bOff, ldb, pc, kc, j0, cols, dst, wholeBlockB(jc, pc, nc, k) + (j0 - jc) * kc);
        }
    }

    /** Where rows from ic of k block pc sit in a whole packed A of m rows. */
    private static int wholeBlockA(int ic, int pc, int kc, int m) {
        return pc * roundUp(m, MR) + ic * kc;
    }

    /** Where k block pc of NC block jc (nc wide) sits in a whole packed B of depth k. */
    private static int wholeBlockB(int jc, int pc, int nc, int k) {
        return jc * k + pc * roundUp(nc, NR);
    }

    private static void macroKernel(int mc, int nc, int kc, float[] packedA, int aStart, float[] packedB, int bStart,
                                    float alpha, float beta, MemorySegment c, long cOff, int ldc, float[] tile) {
        for (int jr = 0; jr < nc; jr += NR) {
            int cols = Math.min(NR, nc - jr);
            int sliver = bStart + jr * kc;
            for (int ir = 0; ir < mc; ir += MR) {
                MicroKernel.multiply(kc, packedA, aStart + ir * kc, packedB, sliver, tile);
                TileWriter.write(tile, Math.min(MR, mc - ir), cols, alpha, beta, c, cOff + (long) ir * ldc + jr, ldc);
            }
        }
    }

    static int roundUp(int value, int multiple) {
        return (value + multiple - 1) / multiple * multiple;
    }
}
