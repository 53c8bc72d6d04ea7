package amalgam.merge.algorithms;

import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.RealMatrix;
import org.apache.commons.math3.linear.SingularValueDecomposition;

import amalgam.kernels.FloatSegments;

import java.lang.foreign.Arena;

/**
 * The truncated SVD of a matrix given as a product X = L · Rᵀ (L m × k, R n × k, k small), without ever
 * forming X: with thin QRs L = Q_L R_L and R = Q_R R_R, X = Q_L (R_L R_Rᵀ) Q_Rᵀ, so X's singular triplets are
 * those of the k × k core rotated by Q_L and Q_R. Cost O((m + n)·k²) instead of a dense m × n SVD.
 *
 * <p>The best rank-R approximation is returned as a LoRA with B = U_R Σ_R and A = V_Rᵀ (scale 1). When R
 * exceeds k the extra rank slices are zero, so the result has exactly the rank asked for.
 */
final class FactoredSvd {

    private FactoredSvd() {}

    static LowRankUpdate truncate(ColumnMajorMatrix left, ColumnMajorMatrix right, int rank, Arena arena) {
        if (left.cols() != right.cols()) throw new IllegalArgumentException("inner dimensions differ");
        if (rank < 1) throw new IllegalArgumentException("--rank: must be at least 1, got " + rank);
        int k = left.cols();
        ThinQr ql = ThinQr.of(left);
        ThinQr qr = ThinQr.of(right);
        SingularValueDecomposition svd = new SingularValueDecomposition(core(ql.r(), qr.r()));
        double[] sigma = svd.getSingularValues();
        RealMatrix u = svd.getU(), v = svd.getV();
        int kept = Math.min(rank, k);

        // B = Q_L · U_R · Σ_R (m × rank) and A = V_Rᵀ · Q_Rᵀ (rank × n), zero beyond the first `kept` slices.
        DenseMatrix b = DenseMatrix.zeros(arena, left.rows(), rank);
        DenseMatrix a = DenseMatrix.zeros(arena, rank, right.rows());
        double[][] us = u.getData(), vs = v.getData(); // plain arrays: the loops below run (m + n)·k·R times
        for (int c = 0; c < kept; c++) {
            double[] uc = new double[k], vc = new double[k];
            for (int j = 0; j < k; j++) {
                uc[j] = us[j][c];
                vc[j] = vs[j][c];
            }
            rotate(ql.q(), uc, sigma[c], b, c, rank);
            rotate(qr.q(), vc, 1, a, (long) c * right.rows(), 1);
        }
        return new LowRankUpdate(b, a, 1);
    }

    /**
     * Writes scale · (Q · coefficients), a column of q.rows() entries, to out's elements first, first + step, …
     * in fp32; column by column of Q, so every read is sequential.
     */
    private static void rotate(ColumnMajorMatrix q, double[] coefficients, double scale, DenseMatrix out,
                               long first, int step) {
        int rows = q.rows();
        double[] column = new double[rows];
        double[] data = q.data();
        for (int j = 0; j < coefficients.length; j++) {
            double f = coefficients[j];
            int base = j * rows;
            for (int i = 0; i < rows; i++) column[i] += data[base + i] * f;
        }
        for (int i = 0; i < rows; i++) FloatSegments.set(out.data(), first + (long) i * step, (float) (column[i] * scale));
    }

    /** R_L · R_Rᵀ. */
    static RealMatrix core(double[][] rl, double[][] rr) {
        int k = rl.length;
        double[][] c = new double[k][k];
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < k; j++) {
                double sum = 0;
                for (int t = 0; t < k; t++) sum += rl[i][t] * rr[j][t];
                c[i][j] = sum;
            }
        }
        return new Array2DRowRealMatrix(c, false);
    }
}
