package amalgam.kernels.cpu;

/**
 * A strided iteration space over one or two operands, collapsed to the fewest axes: axes of extent 1 are
 * dropped, and neighbouring axes merge when every operand steps through them as through one longer axis.
 * After collapsing, the last axis is the "row" that inner loops vectorise along, and a common pattern such
 * as a contiguous tensor plus a broadcast row becomes rows of contiguous-plus-repeated elements.
 *
 * <p>Mutable and reused through a thread-local so that planning allocates nothing in steady state; the
 * rows of a plan may be read concurrently once it is built.
 */
final class StridedPlan {

    private static final ThreadLocal<StridedPlan> PER_THREAD = ThreadLocal.withInitial(StridedPlan::new);

    private long[] extents = new long[4];
    private long[] aStrides = new long[4];
    private long[] bStrides = new long[4];
    private int rank;
    private long count;

    /** The calling thread's plan, rebuilt by {@link #build}. */
    static StridedPlan forThisThread() {
        return PER_THREAD.get();
    }

    /** Plans over {@code shape} for operand strides a and b ({@code b} may be null for one operand). */
    StridedPlan build(int[] shape, long[] a, long[] b) {
        if (a.length != shape.length || (b != null && b.length != shape.length)) {
            throw new IllegalArgumentException("rank mismatch: shape has " + shape.length + " axes, strides "
                    + a.length + (b == null ? "" : " and " + b.length));
        }
        ensureCapacity(Math.max(1, shape.length));
        count = 1;
        for (int extent : shape) {
            if (extent < 0) throw new IllegalArgumentException("negative extent in shape");
            count *= extent;
        }
        // Walk from the innermost axis outwards, appending to (later reversing) the collapsed axes.
        rank = 0;
        for (int d = shape.length - 1; d >= 0; d--) {
            if (shape[d] == 1) continue;
            long bs = b == null ? 0 : b[d];
            if (rank > 0) {
                int k = rank - 1;
                if (a[d] == aStrides[k] * extents[k] && bs == bStrides[k] * extents[k]) {
                    extents[k] *= shape[d];
                    continue;
                }
            }
            extents[rank] = shape[d];
            aStrides[rank] = a[d];
            bStrides[rank] = bs;
            rank++;
        }
        if (rank == 0) { // a single element
            extents[0] = 1;
            aStrides[0] = 0;
            bStrides[0] = 0;
            rank = 1;
        }
        reverse(extents, rank);
        reverse(aStrides, rank);
        reverse(bStrides, rank);
        return this;
    }

    private void ensureCapacity(int axes) {
        if (extents.length < axes) {
            extents = new long[axes];
            aStrides = new long[axes];
            bStrides = new long[axes];
        }
    }

    private static void reverse(long[] values, int length) {
        for (int i = 0, j = length - 1; i < j; i++, j--) {
            long t = values[i];
            values[i] = values[j];
            values[j] = t;
        }
    }

    int rank() {
        return rank;
    }

    long count() {
        return count;
    }

    long extent(int axis) {
        return extents[axis];
    }

    long aStride(int axis) {
        return aStrides[axis];
    }

    long bStride(int axis) {
        return bStrides[axis];
    }

    /** Length of a row (the last collapsed axis). */
    long rowLength() {
        return extents[rank - 1];
    }

    long innerAStride() {
        return aStrides[rank - 1];
    }

    long innerBStride() {
        return bStrides[rank - 1];
    }

    /** Element offset of operand a at the start of row {@code row} (rows numbered in row-major order). */
    long aRowOffset(long row) {
        return rowOffset(row, aStrides);
    }

    long bRowOffset(long row) {
        return rowOffset(row, bStrides);
    }

    private long rowOffset(long row, long[] strides) {
        if (rank == 2) return row * strides[0]; // the common case, without a division
        long offset = 0;
        for (int d = rank - 2; d >= 0 && row != 0; d--) {
            long extent = extents[d];
            offset += (row % extent) * strides[d];
            row /= extent;
        }
        return offset;
    }
}
