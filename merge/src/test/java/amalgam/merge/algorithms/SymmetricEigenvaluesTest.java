package amalgam.merge.algorithms;

import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.EigenDecomposition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Held to Commons Math's EigenDecomposition, and to matrices whose eigenvalues are known by construction. */
class SymmetricEigenvaluesTest {

    @ParameterizedTest(name = "n = {0}")
    @ValueSource(ints = {1, 2, 3, 7, 33, 100, 257})
    void equalCommonsMathOnRandomSymmetricMatrices(int n) {
        double[][] a = randomSymmetric(new Random(n), n);
        assertClose(reference(a), SymmetricEigenvalues.of(a, n), a);
    }

    @ParameterizedTest(name = "n = {0}")
    @ValueSource(ints = {1, 2, 7, 33, 100})
    void vectorsAreOrthonormalAndSatisfyTheEigenEquation(int n) {
        double[][] a = randomSymmetric(new Random(100 + n), n);
        SymmetricEigenvalues eigen = SymmetricEigenvalues.withVectors(a, n);
        assertArrayEquals(SymmetricEigenvalues.of(a, n), eigen.values(), 0);
        double[][] v = eigen.vectors();
        for (int c = 0; c < n; c++) {
            for (int i = 0; i < n; i++) {
                double av = 0;
                for (int t = 0; t < n; t++) av += a[i][t] * v[t][c];
                assertEquals(eigen.values()[c] * v[i][c], av, 1e-12 * n, "(A·v - λ·v)[" + i + "] for λ_" + c);
            }
            for (int d = 0; d <= c; d++) {
                double dot = 0;
                for (int t = 0; t < n; t++) dot += v[t][c] * v[t][d];
                assertEquals(c == d ? 1 : 0, dot, 1e-13 * n, "v_" + c + "·v_" + d);
            }
        }
    }

    @Test
    void gramMatricesOfLowRankAreExactWhereTheyShouldBe() {
        // WᵀW of a 60 × 40 W of rank 5: 35 eigenvalues are zero, the PSD shape the Krylov SVD hands over.
        Random random = new Random(3);
        int rows = 60, cols = 40, rank = 5;
        double[][] w = new double[rows][cols];
        double[][] left = gaussian(random, rows, rank), right = gaussian(random, rank, cols);
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                for (int t = 0; t < rank; t++) w[i][j] += left[i][t] * right[t][j];
            }
        }
        double[][] gram = new double[cols][cols];
        for (int i = 0; i < cols; i++) {
            for (int j = 0; j < cols; j++) {
                for (int t = 0; t < rows; t++) gram[i][j] += w[t][i] * w[t][j];
            }
        }
        double[] values = SymmetricEigenvalues.of(gram, cols);
        assertClose(reference(gram), values, gram);
        for (int i = rank; i < cols; i++) assertEquals(0, values[i], 1e-10 * values[0], "eigenvalue " + i);
    }

    @Test
    void repeatedAndDiagonalSpectra() {
        int n = 12;
        double[][] a = new double[n][n];
        for (int i = 0; i < n; i++) a[i][i] = i % 3; // already diagonal, each value 4 times
        double[] expected = {2, 2, 2, 2, 1, 1, 1, 1, 0, 0, 0, 0};
        assertArrayEquals(expected, SymmetricEigenvalues.of(a, n), 0);
        // Q·diag·Qᵀ with a random rotation: the same repeated values, now fully coupled.
        double[][] q = new org.apache.commons.math3.linear.QRDecomposition(
                new Array2DRowRealMatrix(gaussian(new Random(5), n, n), false)).getQ().getData();
        double[][] rotated = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                for (int t = 0; t < n; t++) rotated[i][j] += q[i][t] * (t % 3) * q[j][t];
            }
        }
        assertArrayEquals(expected, SymmetricEigenvalues.of(rotated, n), 1e-13);
    }

    @Test
    void readsOnlyTheCornerAskedForAndLeavesTheInputAlone() {
        double[][] a = randomSymmetric(new Random(9), 10);
        double[][] copy = Arrays.stream(a).map(double[]::clone).toArray(double[][]::new);
        double[][] corner = new double[6][];
        for (int i = 0; i < 6; i++) corner[i] = Arrays.copyOf(a[i], 6);
        assertClose(reference(corner), SymmetricEigenvalues.of(a, 6), corner);
        assertArrayEquals(copy, a);
    }

    private static double[] reference(double[][] a) {
        double[] values = new EigenDecomposition(new Array2DRowRealMatrix(a, true)).getRealEigenvalues();
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        double[] descending = new double[sorted.length];
        for (int i = 0; i < sorted.length; i++) descending[i] = sorted[sorted.length - 1 - i];
        return descending;
    }

    private static void assertClose(double[] expected, double[] actual, double[][] a) {
        double norm = 0;
        for (double[] row : a) for (double v : row) norm += v * v;
        assertArrayEquals(expected, actual, 1e-12 * Math.max(Math.sqrt(norm), 1e-300));
    }

    private static double[][] randomSymmetric(Random random, int n) {
        double[][] a = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                a[i][j] = random.nextGaussian();
                a[j][i] = a[i][j];
            }
        }
        return a;
    }

    private static double[][] gaussian(Random random, int rows, int cols) {
        double[][] g = new double[rows][cols];
        for (double[] row : g) for (int j = 0; j < cols; j++) row[j] = random.nextGaussian();
        return g;
    }
}
