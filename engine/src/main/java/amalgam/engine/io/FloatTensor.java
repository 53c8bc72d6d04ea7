package amalgam.engine.io;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/** An fp32 tensor in an off-heap segment: a shape and row-major data, as read from or written to files. */
public record FloatTensor(long[] shape, MemorySegment data) {

    public FloatTensor {
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    public long elementCount() {
        return Arrays.stream(shape).reduce(1, Math::multiplyExact);
    }
}
