package amalgam.kernels.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

import static amalgam.kernels.cpu.MicroKernel.LANES;
import static amalgam.kernels.cpu.MicroKernel.SPECIES;

/**
 * GEMM for a C at most one vector wide (attention's 17×16×17 and the like), where the blocked path's
 * two-vector tiles would waste half their work. A is packed in {@value #MR}-row slivers, op(B) as plain k rows,
 * and C is built MR rows by one vector at a time (six accumulators fit every register file), its right edge
 * written with masked stores. No cache blocking: {@link VectorGemm#isSmall} keeps A small enough to go without.
 */
final class SmallGemm {

    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    /** Rows of C per step, whatever the blocked path's tile: one accumulator each. */
    static final int MR = 6;

    private SmallGemm() {}

    /** C = alpha·op(A)·op(B) + beta·C for m, n, k ≥ 1, on the calling thread. */
    static void multiply(boolean transA, boolean transB, int m, int n, int k, float alpha,
                         MemorySegment a, long aOff, int lda,
                         MemorySegment b, long bOff, int ldb,
                         float beta, MemorySegment c, long cOff, int ldc) {
        GemmWorkspace ws = GemmWorkspace.current();
        int width = BlockedGemm.roundUp(n, LANES);
        float[] rowsOfB = ws.packedB(k * width);
        float[] slivers = ws.packedA(k * BlockedGemm.roundUp(m, MR));
        PanelPacker.packRowsOfB(transB, b, bOff, ldb, k, n, width, rowsOfB);
        PanelPacker.packA(transA, a, aOff, lda, 0, m, 0, k, slivers, 0, MR);
        float[] tile = ws.tile;
        for (int i0 = 0; i0 < m; i0 += MR) {
            int rows = Math.min(MR, m - i0);
            for (int j = 0; j < n; j += LANES) {
                // MR rows × one vector of op(A)·op(B), one accumulator per row. Kept in this method on
                // purpose: at over 325 bytes of bytecode it is never inlined into a caller's huge compiled
                // loop, where C2 was seen to give up on the vector intrinsics and box every vector.
                FloatVector s0 = FloatVector.zero(SPECIES), s1 = FloatVector.zero(SPECIES);
                FloatVector s2 = FloatVector.zero(SPECIES), s3 = FloatVector.zero(SPECIES);
                FloatVector s4 = FloatVector.zero(SPECIES), s5 = FloatVector.zero(SPECIES);
                for (int p = 0, ai = i0 * k, bi = j; p < k; p++, ai += MR, bi += width) {
                    FloatVector bv = FloatVector.fromArray(SPECIES, rowsOfB, bi);
                    s0 = FloatVector.broadcast(SPECIES, slivers[ai]).fma(bv, s0);
                    s1 = FloatVector.broadcast(SPECIES, slivers[ai + 1]).fma(bv, s1);
                    s2 = FloatVector.broadcast(SPECIES, slivers[ai + 2]).fma(bv, s2);
                    s3 = FloatVector.broadcast(SPECIES, slivers[ai + 3]).fma(bv, s3);
                    s4 = FloatVector.broadcast(SPECIES, slivers[ai + 4]).fma(bv, s4);
                    s5 = FloatVector.broadcast(SPECIES, slivers[ai + 5]).fma(bv, s5);
                }
                s0.intoArray(tile, 0);
                s1.intoArray(tile, LANES);
                s2.intoArray(tile, 2 * LANES);
                s3.intoArray(tile, 3 * LANES);
                s4.intoArray(tile, 4 * LANES);
                s5.intoArray(tile, 5 * LANES);
                writeRows(tile, rows, j, n, alpha, beta, c, cOff + (long) i0 * ldc + j, ldc);
            }
        }
    }

    /**
     * C = alpha·tile + beta·C on {@code rows} rows, columns [j, min(j + LANES, n)); beta == 0 never reads C.
     * The mask is made here, not passed in: a mask crossing a call that is not inlined gets boxed.
     */
    private static void writeRows(float[] tile, int rows, int j, int n, float alpha, float beta,
                                  MemorySegment c, long at, int ldc) {
        VectorMask<Float> columns = SPECIES.indexInRange(j, n);
        FloatVector alphas = FloatVector.broadcast(SPECIES, alpha);
        FloatVector betas = FloatVector.broadcast(SPECIES, beta);
        for (int r = 0; r < rows; r++) {
            long offset = (at + (long) r * ldc) * Float.BYTES;
            FloatVector value = FloatVector.fromArray(SPECIES, tile, r * LANES).mul(alphas);
            if (beta != 0f) value = FloatVector.fromMemorySegment(SPECIES, c, offset, ORDER, columns).fma(betas, value);
            value.intoMemorySegment(c, offset, ORDER, columns);
        }
    }
}
