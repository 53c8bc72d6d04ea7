package amalgam.kernels.ffm;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Native copies of a shape and up to two stride arrays for one strided call. Each thread reuses one small
 * buffer, so a training step's thousands of broadcasts allocate nothing; the buffer lives as long as its
 * thread (an automatic arena frees it after the thread is gone).
 */
final class ShapeArguments {

    /** Highest rank a strided call accepts: the size of this buffer (C itself has no limit). */
    static final int MAX_RANK = 16;

    private static final long SHAPE_BYTES = MAX_RANK * Integer.BYTES;
    private static final long STRIDES_BYTES = MAX_RANK * Long.BYTES;
    private static final ThreadLocal<ShapeArguments> PER_THREAD = ThreadLocal.withInitial(ShapeArguments::new);

    final MemorySegment shape;
    final MemorySegment firstStrides;
    final MemorySegment secondStrides;

    private ShapeArguments() {
        MemorySegment buffer = Arena.ofAuto().allocate(SHAPE_BYTES + 2 * STRIDES_BYTES, Long.BYTES);
        shape = buffer.asSlice(0, SHAPE_BYTES);
        firstStrides = buffer.asSlice(SHAPE_BYTES, STRIDES_BYTES);
        secondStrides = buffer.asSlice(SHAPE_BYTES + STRIDES_BYTES, STRIDES_BYTES);
    }

    /** This thread's buffer holding {@code shape}, {@code first} and (when non-null) {@code second}. */
    static ShapeArguments of(int[] shape, long[] first, long[] second) {
        if (shape.length > MAX_RANK) {
            throw new IllegalArgumentException("rank " + shape.length + " exceeds the native limit of " + MAX_RANK);
        }
        ShapeArguments args = PER_THREAD.get();
        MemorySegment.copy(shape, 0, args.shape, ValueLayout.JAVA_INT, 0, shape.length);
        MemorySegment.copy(first, 0, args.firstStrides, ValueLayout.JAVA_LONG, 0, first.length);
        if (second != null) MemorySegment.copy(second, 0, args.secondStrides, ValueLayout.JAVA_LONG, 0, second.length);
        return args;
    }
}
