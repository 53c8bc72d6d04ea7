package amalgam.kernels.cuda;

import java.util.Arrays;

/**
 * A shape with the strides of two operands, simplified for the strided kernels: axes of extent 1 dropped and
 * neighbouring axes merged wherever both operands walk them as one (stride of the outer = extent × stride of
 * the inner), so a contiguous or simply broadcast operation reaches the device with rank 1 or 2. Packs into
 * the kernels' {@code Strides} struct.
 */
record StridedLayout(long[] shape, long[] first, long[] second) {

    /** Rank the kernels accept after simplification. */
    static final int MAX_RANK = 8;

    static StridedLayout of(int[] shape, long[] first, long[] second) {
        if (first.length != shape.length || second.length != shape.length) {
            throw new IllegalArgumentException("rank mismatch: shape has " + shape.length + " axes, strides "
                    + first.length + " and " + second.length);
        }
        long[] s = new long[shape.length], a = new long[shape.length], b = new long[shape.length];
        int rank = 0;
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] < 0) throw new IllegalArgumentException("negative extent in shape " + Arrays.toString(shape));
            if (shape[d] == 1) continue;
            if (rank > 0 && a[rank - 1] == shape[d] * first[d] && b[rank - 1] == shape[d] * second[d]) {
                s[rank - 1] *= shape[d];
                a[rank - 1] = first[d];
                b[rank - 1] = second[d];
            } else {
                s[rank] = shape[d];
                a[rank] = first[d];
                b[rank] = second[d];
                rank++;
            }
        }
        if (rank == 0) return new StridedLayout(new long[] {1}, new long[] {0}, new long[] {0});
        return new StridedLayout(Arrays.copyOf(s, rank), Arrays.copyOf(a, rank), Arrays.copyOf(b, rank));
    }

    long count() {
        long count = 1;
        for (long extent : shape) count *= extent;
        return count;
    }

    /** Lowest element offset the strides reach (≤ 0). Only meaningful when count() > 0. */
    static long low(long[] shape, long[] strides) {
        long low = 0;
        for (int d = 0; d < shape.length; d++) if (strides[d] < 0) low += strides[d] * (shape[d] - 1);
        return low;
    }

    /** Highest element offset the strides reach (≥ 0). */
    static long high(long[] shape, long[] strides) {
        long high = 0;
        for (int d = 0; d < shape.length; d++) if (strides[d] > 0) high += strides[d] * (shape[d] - 1);
        return high;
    }

    /** The kernels' struct: {rank, shape[8], first[8], second[8]} as 64-bit fields. */
    long[] pack() {
        if (shape.length > MAX_RANK) {
            throw new IllegalArgumentException("the CUDA strided kernels take at most " + MAX_RANK
                    + " axes after merging contiguous ones, got shape " + Arrays.toString(shape));
        }
        long[] packed = new long[1 + 3 * MAX_RANK];
        packed[0] = shape.length;
        System.arraycopy(shape, 0, packed, 1, shape.length);
        System.arraycopy(first, 0, packed, 1 + MAX_RANK, shape.length);
        System.arraycopy(second, 0, packed, 1 + 2 * MAX_RANK, shape.length);
        return packed;
    }
}
