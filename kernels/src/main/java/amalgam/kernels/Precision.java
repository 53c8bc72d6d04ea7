package amalgam.kernels;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The element type a reference backend stores in its segments. Production kernels are fp32 only; F64 exists
 * so that finite-difference gradient checks can run on {@code ScalarBackend} with errors far below the
 * check's tolerance. Element access goes through {@code double} so one loop serves both precisions, and an
 * F32 store rounds once.
 */
public enum Precision {
    F32(ValueLayout.JAVA_FLOAT_UNALIGNED),
    F64(ValueLayout.JAVA_DOUBLE_UNALIGNED);

    private final ValueLayout layout;

    Precision(ValueLayout layout) {
        this.layout = layout;
    }

    /** Bytes per element. */
    public int bytes() {
        return (int) layout.byteSize();
    }

    /** A zero-filled segment of {@code count} elements, 64-byte aligned like {@link FloatSegments#allocate}. */
    public MemorySegment allocate(Arena arena, long count) {
        if (count < 0) throw new IllegalArgumentException("negative element count: " + count);
        return arena.allocate(Math.max(1, count) * bytes(), FloatSegments.ALIGNMENT);
    }

    /** A new segment holding {@code values}, each rounded to this precision. */
    public MemorySegment of(Arena arena, double... values) {
        MemorySegment segment = allocate(arena, values.length);
        for (int i = 0; i < values.length; i++) set(segment, i, values[i]);
        return segment;
    }

    public double get(MemorySegment segment, long index) {
        return this == F32
                ? segment.getAtIndex((ValueLayout.OfFloat) layout, index)
                : segment.getAtIndex((ValueLayout.OfDouble) layout, index);
    }

    /** Stores {@code value}; in F32 this is the single rounding of a computation done in double. */
    public void set(MemorySegment segment, long index, double value) {
        if (this == F32) segment.setAtIndex((ValueLayout.OfFloat) layout, index, (float) value);
        else segment.setAtIndex((ValueLayout.OfDouble) layout, index, value);
    }

    public double[] toArray(MemorySegment segment, long offset, int count) {
        double[] out = new double[count];
        for (int i = 0; i < count; i++) out[i] = get(segment, offset + i);
        return out;
    }

    /** Number of elements the segment can hold. */
    public long length(MemorySegment segment) {
        return segment.byteSize() / bytes();
    }
}
