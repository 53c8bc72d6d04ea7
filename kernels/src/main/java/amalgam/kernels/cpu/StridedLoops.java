package amalgam.kernels.cpu;

import amalgam.kernels.BinaryOp;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static amalgam.kernels.cpu.Elementwise.get;
import static amalgam.kernels.cpu.Elementwise.set;

/**
 * Broadcasting binary ops and strided gathers over a {@link StridedPlan}, one range of output elements at a
 * time (so a caller can split the output among threads anywhere). Each row picks the fastest inner loop its
 * strides allow: contiguous, repeated (stride 0), or strided.
 */
final class StridedLoops {

    /** Square tile edge for transposes: a 32×32 fp32 tile (4 KiB) stays in L1. */
    static final int TILE = 32;
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    /** One tile plus one destination row, per thread. */
    private static final ThreadLocal<float[]> TILE_SCRATCH =
            ThreadLocal.withInitial(() -> new float[TILE * TILE + TILE]);

    private StridedLoops() {}

    /** out[from, to) = op(a, b) along the plan; out is contiguous. */
    static void binary(BinaryOp op, StridedPlan plan, MemorySegment a, long aOffset, MemorySegment b, long bOffset,
                       MemorySegment out, long outOffset, long from, long to) {
        long rowLength = plan.rowLength();
        long as = plan.innerAStride(), bs = plan.innerBStride();
        long row = from / rowLength, column = from - row * rowLength;
        while (from < to) {
            long len = Math.min(rowLength - column, to - from);
            long ao = aOffset + plan.aRowOffset(row) + column * as;
            long bo = bOffset + plan.bRowOffset(row) + column * bs;
            long oo = outOffset + from;
            if (as == 1 && bs == 1) BinaryLoops.vectorVector(op, len, a, ao, b, bo, out, oo);
            else if (as == 1 && bs == 0) BinaryLoops.vectorScalar(op, len, a, ao, get(b, bo), out, oo);
            else if (as == 0 && bs == 1) BinaryLoops.scalarVector(op, len, get(a, ao), b, bo, out, oo);
            else if (as == 0 && bs == 0) Elementwise.fill(len, op.apply(get(a, ao), get(b, bo)), out, oo);
            else BinaryLoops.strided(op, len, a, ao, as, b, bo, bs, out, oo);
            from += len;
            row++;
            column = 0;
        }
    }

    /** dst[from, to) = src gathered along the plan (operand a); dst is contiguous. */
    static void gather(StridedPlan plan, MemorySegment src, long srcOffset, MemorySegment dst, long dstOffset,
                       long from, long to) {
        long rowLength = plan.rowLength();
        long s = plan.innerAStride();
        long row = from / rowLength, column = from - row * rowLength;
        while (from < to) {
            long len = Math.min(rowLength - column, to - from);
            long so = srcOffset + plan.aRowOffset(row) + column * s;
            long d = dstOffset + from;
            if (s == 1) {
                MemorySegment.copy(src, so * Float.BYTES, dst, d * Float.BYTES, len * Float.BYTES);
            } else if (s == 0) {
                Elementwise.fill(len, get(src, so), dst, d);
            } else {
                for (long i = 0; i < len; i++) set(dst, d + i, get(src, so + i * s));
            }
            from += len;
            row++;
            column = 0;
        }
    }

    /**
     * True when the plan's last two axes are a transpose: the row axis is strided and the axis before it is
     * contiguous in the source, so walking rows reads down columns.
     */
    static boolean isTranspose(StridedPlan plan) {
        int r = plan.rank();
        return r >= 2 && plan.aStride(r - 2) == 1 && Math.abs(plan.innerAStride()) > 1;
    }

    /** Number of TILE-row bands in a transpose plan: the unit of parallel work. */
    static long transposeBands(StridedPlan plan) {
        int r = plan.rank();
        long rows = plan.extent(r - 2);
        long matrices = plan.count() / (rows * plan.rowLength());
        return matrices * ((rows + TILE - 1) / TILE);
    }

    /**
     * Copies the bands [fromBand, toBand) of a transpose plan, tile by tile. Each tile goes through an
     * on-heap scratch array: read as contiguous source runs, written as contiguous destination runs. Walking
     * one side with a stride instead would, for power-of-two row lengths, map every access of a tile to the
     * same cache set.
     */
    static void transposeBands(StridedPlan plan, MemorySegment src, long srcOffset, MemorySegment dst,
                               long dstOffset, long fromBand, long toBand) {
        int r = plan.rank();
        long rows = plan.extent(r - 2), cols = plan.rowLength(), ld = plan.innerAStride();
        long bandsPerMatrix = (rows + TILE - 1) / TILE;
        float[] tile = TILE_SCRATCH.get();
        for (long band = fromBand; band < toBand; band++) {
            long matrix = band / bandsPerMatrix;
            long i0 = (band - matrix * bandsPerMatrix) * TILE;
            int h = (int) Math.min(TILE, rows - i0);
            long firstRow = matrix * rows;
            long srcBase = srcOffset + plan.aRowOffset(firstRow) + i0;
            long dstBase = dstOffset + (firstRow + i0) * cols;
            for (long j0 = 0; j0 < cols; j0 += TILE) {
                int w = (int) Math.min(TILE, cols - j0);
                // Source run jj holds destination column j0 + jj for the band's h rows.
                for (int jj = 0; jj < w; jj++) {
                    MemorySegment.copy(src, FLOAT, (srcBase + (j0 + jj) * ld) * Float.BYTES, tile, jj * TILE, h);
                }
                for (int ii = 0; ii < h; ii++) {
                    for (int jj = 0; jj < w; jj++) tile[TILE * TILE + jj] = tile[jj * TILE + ii];
                    MemorySegment.copy(tile, TILE * TILE, dst, FLOAT, (dstBase + ii * cols + j0) * Float.BYTES, w);
                }
            }
        }
    }
}
