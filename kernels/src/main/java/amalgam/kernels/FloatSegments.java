package amalgam.kernels;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Allocation and element access for fp32 data in off-heap segments. Every buffer the kernels compute on is
 * 64-byte aligned (one cache line, one AVX-512 vector) and owned by an {@link Arena} the caller controls.
 */
public final class FloatSegments {

    public static final long ALIGNMENT = 64;
    /** Unaligned little-endian-native fp32 layout: element access by byte offset without alignment checks. */
    public static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private FloatSegments() {}

    /** A zero-filled, 64-byte-aligned segment of {@code count} floats living as long as {@code arena}. */
    public static MemorySegment allocate(Arena arena, long count) {
        if (count < 0) throw new IllegalArgumentException("negative element count: " + count);
        return arena.allocate(Math.max(1, count) * Float.BYTES, ALIGNMENT);
    }

    /** A new segment holding a copy of {@code values}. */
    public static MemorySegment of(Arena arena, float... values) {
        MemorySegment segment = allocate(arena, values.length);
        MemorySegment.copy(values, 0, segment, FLOAT, 0, values.length);
        return segment;
    }

    public static float get(MemorySegment segment, long index) {
        return segment.getAtIndex(FLOAT, index);
    }

    public static void set(MemorySegment segment, long index, float value) {
        segment.setAtIndex(FLOAT, index, value);
    }

    /** Number of floats the segment can hold. */
    public static long length(MemorySegment segment) {
        return segment.byteSize() / Float.BYTES;
    }

    public static float[] toArray(MemorySegment segment, long offset, int count) {
        float[] out = new float[count];
        MemorySegment.copy(segment, FLOAT, offset * Float.BYTES, out, 0, count);
        return out;
    }

    public static void copyFromArray(float[] source, int sourceOffset, MemorySegment target, long targetOffset,
                                     int count) {
        MemorySegment.copy(source, sourceOffset, target, FLOAT, targetOffset * Float.BYTES, count);
    }
}
