package amalgam.kernels.ffm;

import amalgam.kernels.FloatSegments;

import java.lang.foreign.MemorySegment;

/**
 * Bounds checks before a pointer leaves Java. C does not check, so an out-of-range offset or leading
 * dimension would corrupt memory or crash the JVM; here it becomes an exception that names the operand.
 * Each method returns the slice the C code may touch, which also keeps its arena alive for the call.
 * Heap segments (over Java arrays) are accepted; callers must then use a critical downcall.
 */
final class Operands {

    private Operands() {}

    /** Elements [offset, offset + count) of {@code segment}. */
    static MemorySegment elements(MemorySegment segment, long offset, long count, String operand) {
        if (segment == null) throw new NullPointerException(operand + " is null");
        long length = FloatSegments.length(segment);
        if (offset < 0 || count < 0 || offset > length - count) {
            throw new IndexOutOfBoundsException(operand + ": elements [" + offset + ", " + (offset + count)
                    + ") lie outside a segment of " + length + " floats");
        }
        return segment.asSlice(offset * Float.BYTES, count * Float.BYTES);
    }

    /** Like {@link #elements} but null stays {@link MemorySegment#NULL}, for optional operands. */
    static MemorySegment optional(MemorySegment segment, long offset, long count, String operand) {
        return segment == null ? MemorySegment.NULL : elements(segment, offset, count, operand);
    }

    /** True when any of the segments wraps a Java array (null ones, standing for absent operands, do not). */
    static boolean onHeap(MemorySegment... segments) {
        for (MemorySegment s : segments) {
            if (s != null && !s.isNative()) return true;
        }
        return false;
    }

    /** Elements a rows×cols matrix with row stride {@code ld} spans: 0 when it is empty. */
    static long matrixExtent(long rows, long cols, long ld, String operand) {
        if (rows < 0 || cols < 0) throw new IllegalArgumentException(operand + ": negative dimension");
        if (rows == 0 || cols == 0) return 0;
        if (rows > 1 && ld < cols) {
            throw new IllegalArgumentException(operand + ": leading dimension " + ld + " is less than the "
                    + cols + " columns it must hold");
        }
        return (rows - 1) * ld + cols;
    }

    /** Elements {@code batch} matrices of {@code extent} elements, {@code stride} apart, span. */
    static long batchExtent(long extent, long stride, int batch) {
        return batch == 0 || extent == 0 ? 0 : (batch - 1) * stride + extent;
    }

    static long count(int[] shape) {
        long count = 1;
        for (int d : shape) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in shape");
            count *= d;
        }
        return count;
    }
}
