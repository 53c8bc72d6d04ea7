package amalgam.merge.algorithms;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ThinQrTest {

    @Test
    void reproducesTheMatrixWithOrthonormalColumnsEvenWhenColumnsAreDependent() {
        Random random = new Random(12);
        int m = 40, k = 6;
        ColumnMajorMatrix x = ColumnMajorMatrix.zeros(m, k);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < 4; j++) x.set(i, j, random.nextGaussian());
            x.set(i, 4, 2 * x.get(i, 0) - x.get(i, 3)); // dependent
            x.set(i, 5, x.get(i, 1) + 1e-9 * random.nextGaussian()); // nearly dependent
        }
        ThinQr qr = ThinQr.of(x);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < k; j++) {
                double sum = 0;
                for (int t = 0; t < k; t++) sum += qr.q().get(i, t) * qr.r()[t][j];
                assertEquals(x.get(i, j), sum, 1e-12, "QR at " + i + "," + j);
            }
        }
        for (int a = 0; a < k; a++) {
            for (int b = 0; b < k; b++) {
                double dot = 0;
                for (int i = 0; i < m; i++) dot += qr.q().get(i, a) * qr.q().get(i, b);
                double expected = a == b && a != 4 ? 1 : 0; // the dependent column is zero
                assertEquals(expected, dot, 1e-12, "QᵀQ at " + a + "," + b);
            }
        }
    }

    /**
     * Vandermonde columns on [0, 1] (condition number about 10⁸ at 12 columns) cancel heavily in every first
     * pass; a 257 × 33 Gaussian block hardly at all. Both must come out orthonormal to working precision
     * whether or not the second pass ran.
     */
    @Test
    void staysOrthonormalOnIllConditionedAndOnRandomColumns() {
        Random random = new Random(3);
        int m = 257;
        ColumnMajorMatrix vandermonde = ColumnMajorMatrix.zeros(m, 12);
        for (int i = 0; i < m; i++) {
            double t = (double) i / (m - 1);
            for (int j = 0; j < 12; j++) vandermonde.set(i, j, Math.pow(t, j));
        }
        ColumnMajorMatrix gaussian = ColumnMajorMatrix.zeros(m, 33);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < 33; j++) gaussian.set(i, j, random.nextGaussian());
        }
        for (ColumnMajorMatrix x : java.util.List.of(vandermonde, gaussian)) {
            ThinQr qr = ThinQr.of(x);
            int k = x.cols();
            for (int a = 0; a < k; a++) {
                for (int b = 0; b < k; b++) {
                    double dot = 0;
                    for (int i = 0; i < m; i++) dot += qr.q().get(i, a) * qr.q().get(i, b);
                    assertEquals(a == b ? 1 : 0, dot, 1e-13, k + " columns: QᵀQ at " + a + "," + b);
                }
                for (int i = 0; i < m; i++) {
                    double sum = 0;
                    for (int t = 0; t <= a; t++) sum += qr.q().get(i, t) * qr.r()[t][a];
                    assertEquals(x.get(i, a), sum, 1e-12 * (1 + Math.abs(x.get(i, a))), "QR at " + i + "," + a);
                }
            }
        }
    }
}
