package amalgam.merge.algorithms;

import amalgam.kernels.FloatSegments;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** A row-major fp32 matrix in an off-heap segment: a LoRA factor, a dense ΔW, or a GEMM operand. */
public record DenseMatrix(int rows, int cols, MemorySegment data) {

    public DenseMatrix {
        if (rows < 0 || cols < 0) throw new IllegalArgumentException("negative shape " + rows + "×" + cols);
        if (FloatSegments.length(data) < (long) rows * cols) {
            throw new IllegalArgumentException("segment too small for " + rows + "×" + cols);
        }
    }

    /** A zero matrix owned by {@code arena}. */
    public static DenseMatrix zeros(Arena arena, int rows, int cols) {
        return new DenseMatrix(rows, cols, FloatSegments.allocate(arena, (long) rows * cols));
    }

    /** A matrix holding a copy of {@code rowMajor}. */
    public static DenseMatrix of(Arena arena, int rows, int cols, float... rowMajor) {
        if (rowMajor.length != (long) rows * cols) {
            throw new IllegalArgumentException(rowMajor.length + " values for a " + rows + "×" + cols + " matrix");
        }
        return new DenseMatrix(rows, cols, FloatSegments.of(arena, rowMajor));
    }

    public long size() {
        return (long) rows * cols;
    }

    public float get(int row, int col) {
        return FloatSegments.get(data, (long) row * cols + col);
    }

    public void set(int row, int col, float value) {
        FloatSegments.set(data, (long) row * cols + col, value);
    }

    public float[] toArray() {
        return FloatSegments.toArray(data, 0, Math.toIntExact(size()));
    }
}
