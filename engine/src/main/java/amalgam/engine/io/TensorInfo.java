package amalgam.engine.io;

import java.util.Arrays;

/**
 * One tensor's entry in a safetensors header: its element type, shape and byte range. Offsets are relative to
 * the start of the data section, as the format stores them.
 */
public record TensorInfo(String name, FileDType dtype, long[] shape, long begin, long end) {

    public TensorInfo {
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public long dim(int axis) {
        return shape[axis];
    }

    /** Product of the shape; the header validator has already checked that it does not overflow. */
    public long elementCount() {
        long count = 1;
        for (long d : shape) count *= d;
        return count;
    }

    public long byteSize() {
        return end - begin;
    }

    /** The shape as people write it: {@code [32, 8]}. */
    public String shapeString() {
        return Arrays.toString(shape);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorInfo t && name.equals(t.name) && dtype == t.dtype && Arrays.equals(shape, t.shape)
                && begin == t.begin && end == t.end;
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return name + " " + dtype + shapeString() + " @[" + begin + ", " + end + ")";
    }
}
