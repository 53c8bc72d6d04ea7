package amalgam.kernels.ffm;

import java.lang.foreign.MemorySegment;

/**
 * A strided operand prepared for C: the slice from the lowest to the highest element any coordinate of the
 * shape reaches, and the origin (coordinate 0…0) relative to the slice start, which is positive exactly
 * when some stride is negative.
 */
record StridedView(MemorySegment slice, long origin) {

    static StridedView of(int[] shape, MemorySegment segment, long offset, long[] strides, String operand) {
        if (strides.length != shape.length) {
            throw new IllegalArgumentException(operand + ": " + strides.length + " strides for a rank-"
                    + shape.length + " shape");
        }
        long low = 0, high = 0;
        for (int d = 0; d < shape.length; d++) {
            long reach = (shape[d] - 1L) * strides[d];
            if (reach < 0) low += reach;
            else high += reach;
        }
        MemorySegment slice = Operands.elements(segment, offset + low, high - low + 1, operand);
        return new StridedView(slice, -low);
    }
}
