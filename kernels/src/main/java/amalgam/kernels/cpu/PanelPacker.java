package amalgam.kernels.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;

import static amalgam.kernels.cpu.MicroKernel.LANES;
import static amalgam.kernels.cpu.MicroKernel.NR;
import static amalgam.kernels.cpu.MicroKernel.SPECIES;

/**
 * Copies blocks of A and B into the panel layout {@link MicroKernel} streams through: A as slivers of
 * {@link MicroKernel#MR} rows (MR values per step of k), B as slivers of {@link MicroKernel#NR} columns
 * (NR values per step of k). Packing is where transposes are absorbed, and where ragged edges are padded
 * with zeros so the micro-kernel never needs a bounds check.
 */
final class PanelPacker {

    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    /** A transposed A's sliver rows are neighbours in memory: copied 4 and 2 at a time, whatever the ISA. */
    private static final VectorSpecies<Float> FOUR = FloatVector.SPECIES_128;
    private static final VectorSpecies<Float> TWO = FloatVector.SPECIES_64;

    private PanelPacker() {}

    /**
     * Packs rows [i0, i0+mc) and k-range [p0, p0+kc) of op(A) into {@code dst} as slivers of {@code sliverRows}
     * rows: sliver s starts at {@code start + s · sliverRows · kc}. Element (i, p) of op(A) is at
     * {@code aOff + i·lda + p}, or {@code aOff + p·lda + i} when transposed.
     */
    static void packA(boolean transA, MemorySegment a, long aOff, int lda,
                      int i0, int mc, int p0, int kc, float[] dst, int start, int sliverRows) {
        for (int ir = 0; ir < mc; ir += sliverRows) {
            int rows = Math.min(sliverRows, mc - ir);
            int base = start + ir * kc;
            if (rows < sliverRows) Arrays.fill(dst, base, base + sliverRows * kc, 0f);
            if (rows == 6 && sliverRows == 6) {
                packSixRows(transA, a, aOff, lda, i0 + ir, p0, kc, dst, base);
            } else if (rows == 4 && sliverRows == 4) {
                packFourRows(transA, a, aOff, lda, i0 + ir, p0, kc, dst, base);
            } else if (transA) {
                for (int p = 0; p < kc; p++) {
                    long src = (aOff + (long) (p0 + p) * lda + i0 + ir) * Float.BYTES;
                    int to = base + p * sliverRows;
                    for (int r = 0; r < rows; r++) dst[to + r] = a.get(FLOAT, src + (long) r * Float.BYTES);
                }
            } else {
                for (int r = 0; r < rows; r++) {
                    long src = (aOff + (long) (i0 + ir + r) * lda + p0) * Float.BYTES;
                    for (int p = 0; p < kc; p++) {
                        dst[base + p * sliverRows + r] = a.get(FLOAT, src + (long) p * Float.BYTES);
                    }
                }
            }
        }
    }

    /**
     * One full sliver of six rows from row i, unrolled, as C2 will not do it itself. Transposed and plain are
     * separate methods: one method holding both was compiled worse (the transposed copy ran at half speed).
     */
    private static void packSixRows(boolean transA, MemorySegment a, long aOff, int lda, int i, int p0, int kc,
                                    float[] dst, int base) {
        if (transA) packSixNeighbours(a, aOff, lda, i, p0, kc, dst, base);
        else packSixRowRuns(a, aOff, lda, i, p0, kc, dst, base);
    }

    /** Transposed: each step of k is six neighbours in one stored row, one 4-float and one 2-float copy. */
    private static void packSixNeighbours(MemorySegment a, long aOff, int lda, int i, int p0, int kc,
                                          float[] dst, int base) {
        long ldBytes = (long) lda * Float.BYTES;
        long at = (aOff + (long) p0 * lda + i) * Float.BYTES;
        for (int p = 0, to = base; p < kc; p++, to += 6, at += ldBytes) {
            FloatVector.fromMemorySegment(FOUR, a, at, ORDER).intoArray(dst, to);
            FloatVector.fromMemorySegment(TWO, a, at + 4 * Float.BYTES, ORDER).intoArray(dst, to + 4);
        }
    }

    /** Plain: six row runs, by 8×8 transposes where 256-bit vectors are native, the rest element by element. */
    private static void packSixRowRuns(MemorySegment a, long aOff, int lda, int i, int p0, int kc,
                                       float[] dst, int base) {
        long ldBytes = (long) lda * Float.BYTES;
        long r0 = (aOff + (long) i * lda + p0) * Float.BYTES;
        int blocked = SixRowTranspose.AVAILABLE ? kc - kc % SixRowTranspose.STEPS : 0;
        if (blocked > 0) SixRowTranspose.pack(a, r0, ldBytes, blocked, dst, base);
        for (int p = blocked, to = base + 6 * blocked; p < kc; p++, to += 6) {
            long at = r0 + (long) p * Float.BYTES;
            dst[to] = a.get(FLOAT, at);
            dst[to + 1] = a.get(FLOAT, at + ldBytes);
            dst[to + 2] = a.get(FLOAT, at + 2 * ldBytes);
            dst[to + 3] = a.get(FLOAT, at + 3 * ldBytes);
            dst[to + 4] = a.get(FLOAT, at + 4 * ldBytes);
            dst[to + 5] = a.get(FLOAT, at + 5 * ldBytes);
        }
    }

    /** {@link #packSixRows} for the four-row slivers of {@link FourRowTile}. */
    private static void packFourRows(boolean transA, MemorySegment a, long aOff, int lda, int i, int p0, int kc,
                                     float[] dst, int base) {
        long ldBytes = (long) lda * Float.BYTES;
        if (transA) {
            long at = (aOff + (long) p0 * lda + i) * Float.BYTES;
            for (int p = 0, to = base; p < kc; p++, to += 4, at += ldBytes) {
                FloatVector.fromMemorySegment(FOUR, a, at, ORDER).intoArray(dst, to);
            }
        } else {
            long r0 = (aOff + (long) i * lda + p0) * Float.BYTES;
            for (int p = 0, to = base; p < kc; p++, to += 4) {
                long at = r0 + (long) p * Float.BYTES;
                dst[to] = a.get(FLOAT, at);
                dst[to + 1] = a.get(FLOAT, at + ldBytes);
                dst[to + 2] = a.get(FLOAT, at + 2 * ldBytes);
                dst[to + 3] = a.get(FLOAT, at + 3 * ldBytes);
            }
        }
    }

    /**
     * Packs k-range [p0, p0+kc) and columns [j0, j0+nc) of op(B) into {@code dst}: sliver s starts at
     * {@code start + s · NR · kc}. Element (p, j) of op(B) is at {@code bOff + p·ldb + j}, or
     * {@code bOff + j·ldb + p} when transposed.
     */
    static void packB(boolean transB, MemorySegment b, long bOff, int ldb,
                      int p0, int kc, int j0, int nc, float[] dst, int start) {
        for (int jr = 0; jr < nc; jr += NR) {
            int cols = Math.min(NR, nc - jr);
            int base = start + jr * kc;
            if (cols < NR) Arrays.fill(dst, base, base + NR * kc, 0f);
            if (transB) {
                // Whole LANES×LANES blocks go through registers; the last kc % LANES steps and a ragged
                // sliver element by element.
                int blocked = cols == NR && BlockTranspose.available() ? kc - kc % LANES : 0;
                long sliver = (bOff + (long) (j0 + jr) * ldb + p0) * Float.BYTES;
                if (blocked > 0) BlockTranspose.packSliver(b, sliver, (long) ldb * Float.BYTES, blocked, dst, base);
                for (int j = 0; j < cols; j++) {
                    long src = sliver + (long) j * ldb * Float.BYTES;
                    for (int p = blocked; p < kc; p++) {
                        dst[base + p * NR + j] = b.get(FLOAT, src + (long) p * Float.BYTES);
                    }
                }
            } else if (cols == NR) {
                long ldBytes = (long) ldb * Float.BYTES;
                long src = (bOff + (long) p0 * ldb + j0 + jr) * Float.BYTES;
                for (int p = 0, to = base; p < kc; p++, to += NR, src += ldBytes) {
                    for (int v = 0; v < NR; v += LANES) {
                        FloatVector.fromMemorySegment(SPECIES, b, src + (long) v * Float.BYTES, ORDER)
                                .intoArray(dst, to + v);
                    }
                }
            } else {
                for (int p = 0; p < kc; p++) {
                    long src = (bOff + (long) (p0 + p) * ldb + j0 + jr) * Float.BYTES;
                    int to = base + p * NR;
                    for (int j = 0; j < cols; j++) dst[to + j] = b.get(FLOAT, src + (long) j * Float.BYTES);
                }
            }
        }
    }

    /**
     * Copies op(B), k×n, into {@code dst} as k plain rows of {@code width} ≥ n floats, zero beyond column n:
     * the layout of {@link SmallGemm}, which walks B one vector of a row at a time.
     */
    static void packRowsOfB(boolean transB, MemorySegment b, long bOff, int ldb, int k, int n, int width,
                            float[] dst) {
        if (transB) {
            // A transpose, element by element: staging rows on the heap (by MemorySegment.copy or by vectors)
            // and gathering columns from there were tried and were no faster on attention-sized blocks.
            for (int j = 0; j < n; j++) {
                long src = (bOff + (long) j * ldb) * Float.BYTES;
                for (int p = 0; p < k; p++) dst[p * width + j] = b.get(FLOAT, src + (long) p * Float.BYTES);
            }
            for (int p = 0; p < k; p++) Arrays.fill(dst, p * width + n, (p + 1) * width, 0f);
        } else {
            for (int p = 0; p < k; p++) {
                long src = (bOff + (long) p * ldb) * Float.BYTES;
                for (int j = 0; j < n; j += LANES) {
                    // Masked-off lanes read as zero, which is the padding the rows need.
                    FloatVector.fromMemorySegment(SPECIES, b, src + (long) j * Float.BYTES, ORDER,
                            SPECIES.indexInRange(j, n)).intoArray(dst, p * width + j);
                }
            }
        }
    }
}
