package amalgam.merge.algorithms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.SingularValueDecomposition;
import org.junit.jupiter.api.Test;

/** The factored measurements against the same quantities on the dense ΔW, computed here entry by entry. */
class LowRankOpsTest {

    private final Random random = new Random(5);

    @Test
    void innerProductCosineAndSingularValuesMatchTheDenseUpdates() {
        LowRankUpdate x = LowRank.random(random, 9, 7, 3, 0.5);
        LowRankUpdate y = LowRank.random(random, 9, 7, 2, -2);
        double[] dx = LowRank.delta(x), dy = LowRank.delta(y);
        double dot = 0;
        for (int i = 0; i < dx.length; i++) dot += dx[i] * dy[i];
        assertEquals(dot, LowRankOps.inner(x, y), 1e-9 * Math.abs(dot) + 1e-12);
        double nx = LowRank.frobenius(dx), ny = LowRank.frobenius(dy);
        assertEquals(nx * nx, LowRankOps.normSquared(x), 1e-9 * nx * nx);
        assertEquals(dot / (nx * ny), LowRankOps.cosine(x, y), 1e-9);
        assertEquals(1, LowRankOps.cosine(x, x), 1e-12);

        double[][] rows = new double[9][7];
        for (int i = 0; i < 9; i++) System.arraycopy(dx, i * 7, rows[i], 0, 7);
        double[] expected = new SingularValueDecomposition(new Array2DRowRealMatrix(rows)).getSingularValues();
        double[] sigma = LowRankOps.singularValues(x);
        assertEquals(3, sigma.length);
        for (int k = 0; k < 3; k++) assertEquals(expected[k], sigma[k], 1e-9 * expected[0]);
        assertEquals(0, expected[3], 1e-9 * expected[0], "a rank-3 update has three nonzero singular values");
    }

    @Test
    void signAgreementCountsEntriesNonzeroInBothDenselyOrOnEvenlySpacedRows() {
        LowRankUpdate x = LowRank.random(random, 40, 5, 2, 1);
        LowRankUpdate y = LowRank.random(random, 40, 5, 2, 1);
        double[] dx = LowRank.delta(x), dy = LowRank.delta(y);
        long agree = 0;
        for (int i = 0; i < dx.length; i++) if (Math.signum(dx[i]) == Math.signum(dy[i])) agree++;
        SignAgreement all = SignAgreement.of(x, y, 1000);
        assertEquals(40, all.rows());
        assertEquals(200, all.compared());
        assertEquals((double) agree / 200, all.agreement(), 1e-12);
        assertEquals(1, SignAgreement.of(x, x, 1000).agreement());
        assertEquals(0, SignAgreement.of(x, LowRank.update(40, 5, negated(x), x.a().toArray(), 1), 1000).agreement());

        SignAgreement sampled = SignAgreement.of(x, y, 50);
        assertEquals(10, sampled.rows());
        assertTrue(sampled.sampled(x));
        long sampledAgree = 0;
        for (int s = 0; s < 10; s++) {
            int row = 4 * s + 2; // the centre of each of ten bands of four rows
            for (int c = 0; c < 5; c++) if (Math.signum(dx[row * 5 + c]) == Math.signum(dy[row * 5 + c])) sampledAgree++;
        }
        assertEquals(sampledAgree / 50.0, sampled.agreement(), 1e-12);
    }

    private static float[] negated(LowRankUpdate u) {
        float[] b = u.b().toArray();
        for (int i = 0; i < b.length; i++) b[i] = -b[i];
        return b;
    }
}
