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

    /**
     * Σ x_i² over the first {@code count} floats, accumulated in double in four interleaved sums, read through
     * a float[] a chunk at a time: one-shot commands run this while the JIT is still cold, where an element-wise
     * segment access costs many times an array's (the merge's energy check of one 5504 × 2048 module took
     * about 60 ms element by element).
     */
    public static double squaredNorm(MemorySegment segment, long count) {
        float[] chunk = new float[(int) Math.min(count, 1 << 14)];
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (long start = 0; start < count; start += chunk.length) {
            int length = (int) Math.min(chunk.length, count - start);
            MemorySegment.copy(segment, FLOAT, start * Float.BYTES, chunk, 0, length);
            int i = 0;
            for (; i + 4 <= length; i += 4) {
                s0 += (double) chunk[i] * chunk[i];
                s1 += (double) chunk[i + 1] * chunk[i + 1];
                s2 += (double) chunk[i + 2] * chunk[i + 2];
                s3 += (double) chunk[i + 3] * chunk[i + 3];
            }
            for (; i < length; i++) s0 += (double) chunk[i] * chunk[i];
        }
        return (s0 + s1) + (s2 + s3);
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
