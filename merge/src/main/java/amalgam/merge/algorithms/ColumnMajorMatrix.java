package amalgam.merge.algorithms;

import amalgam.kernels.FloatSegments;

import java.lang.foreign.Arena;

/**
 * A small double-precision matrix stored column by column, the layout the orthogonalisations want: each
 * column is contiguous. Used for the stacked factors and range bases of the SVDs, never for dense deltas.
 */
record ColumnMajorMatrix(int rows, int cols, double[] data) {

    static ColumnMajorMatrix zeros(int rows, int cols) {
        return new ColumnMajorMatrix(rows, cols, new double[Math.multiplyExact(rows, cols)]);
    }

    static ColumnMajorMatrix identity(int n) {
        ColumnMajorMatrix m = zeros(n, n);
        for (int i = 0; i < n; i++) m.set(i, i, 1);
        return m;
    }

    /** factor · m, converted from a row-major fp32 matrix. */
    static ColumnMajorMatrix from(DenseMatrix m, double factor) {
        ColumnMajorMatrix out = zeros(m.rows(), m.cols());
        copyInto(m, factor, false, out, 0);
        return out;
    }

    /**
     * Writes factor · m (or its transpose) into the columns of {@code target} starting at {@code firstColumn}:
     * the stacking of LoRA factors side by side.
     */
    static void copyInto(DenseMatrix m, double factor, boolean transpose, ColumnMajorMatrix target,
                         int firstColumn) {
        int rows = transpose ? m.cols() : m.rows();
        int cols = transpose ? m.rows() : m.cols();
        if (rows != target.rows || firstColumn + cols > target.cols) {
            throw new IllegalArgumentException("factor does not fit the stack");
        }
        for (int i = 0; i < m.rows(); i++) {
            for (int j = 0; j < m.cols(); j++) {
                double v = factor * m.get(i, j);
                if (transpose) target.set(j, firstColumn + i, v);
                else target.set(i, firstColumn + j, v);
            }
        }
    }

    double get(int row, int col) {
        return data[col * rows + row];
    }

    void set(int row, int col, double value) {
        data[col * rows + row] = value;
    }

    /** As a row-major fp32 matrix, for the GEMMs. */
    DenseMatrix toDense(Arena arena) {
        DenseMatrix out = DenseMatrix.zeros(arena, rows, cols);
        float[] row = new float[cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) row[j] = (float) get(i, j);
            FloatSegments.copyFromArray(row, 0, out.data(), (long) i * cols, cols);
        }
        return out;
    }
}
