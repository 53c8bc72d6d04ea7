package amalgam.kernels.scalar;

/**
 * Visits the elements of a shape in row-major order while tracking the offsets of two strided operands,
 * like an odometer: the last axis turns fastest and carries into the ones before it.
 */
final class StridedWalk {

    private final int[] shape;
    private final long[] firstStrides;
    private final long[] secondStrides;
    private final int[] index;
    private long first;
    private long second;

    StridedWalk(int[] shape, long[] firstStrides, long[] secondStrides) {
        if (firstStrides.length != shape.length || secondStrides.length != shape.length) {
            throw new IllegalArgumentException("rank mismatch: shape has " + shape.length + " axes, strides "
                    + firstStrides.length + " and " + secondStrides.length);
        }
        this.shape = shape;
        this.firstStrides = firstStrides;
        this.secondStrides = secondStrides;
        this.index = new int[shape.length];
    }

    /** Number of elements in the shape (1 for rank 0). */
    long count() {
        long count = 1;
        for (int extent : shape) count *= extent;
        return count;
    }

    long first() {
        return first;
    }

    long second() {
        return second;
    }

    void advance() {
        for (int d = shape.length - 1; d >= 0; d--) {
            if (++index[d] < shape[d]) {
                first += firstStrides[d];
                second += secondStrides[d];
                return;
            }
            first -= (long) (shape[d] - 1) * firstStrides[d];
            second -= (long) (shape[d] - 1) * secondStrides[d];
            index[d] = 0;
        }
    }
}
