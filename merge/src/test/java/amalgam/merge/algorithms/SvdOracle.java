package amalgam.merge.algorithms;

import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.SingularValueDecomposition;

/** The reference: Commons Math's full dense SVD, for optimal rank-R errors. */
final class SvdOracle {

    private SvdOracle() {}

    static double[] singularValues(double[] rowMajor, int rows, int cols) {
        double[][] m = new double[rows][cols];
        for (int i = 0; i < rows; i++) System.arraycopy(rowMajor, i * cols, m[i], 0, cols);
        return new SingularValueDecomposition(new Array2DRowRealMatrix(m, false)).getSingularValues();
    }

    /** ‖X − X_R‖_F for the best rank-R approximation X_R: the tail of the singular values. */
    static double optimalError(double[] rowMajor, int rows, int cols, int rank) {
        double[] sigma = singularValues(rowMajor, rows, cols);
        double tail = 0;
        for (int i = rank; i < sigma.length; i++) tail += sigma[i] * sigma[i];
        return Math.sqrt(tail);
    }
}
