package amalgam.merge.adaptive;

import amalgam.merge.algorithms.MergeMethod;
import amalgam.engine.DType;
import amalgam.engine.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** Σ αᵢ Dᵢ reproduces docs/merging.md's hand-checked TIES and task-arithmetic examples for any weights (TIES to fp32, the merge sweep's precision). */
class MaskedDeltasTest {

    private static final double[] T1 = {0.5, -1.3, 2.0, -0.3, 0.8, -1.5};
    private static final double[] T2 = {-0.4, 1.2, 1.0, 0.1, -2.0, -0.6};

    @Test
    void taskArithmetic() {
        assertArrayEquals(new double[] {0.23, -0.55, 1.7, -0.18, -0.04, -1.23},
                merged(MergeMethod.LINEAR, 1, 0.7, 0.3), 1e-12);
    }

    @Test
    void tiesWithUnitWeights() {
        assertArrayEquals(new double[] {0, -1.3, 1.5, 0, -2.0, -1.5}, merged(MergeMethod.TIES, 0.5, 1, 1), 1e-6);
    }

    @Test
    void tiesWithOtherWeightsKeepsTheUnweightedElection() {
        assertArrayEquals(new double[] {0, -2.6, 2.25, 0, -1.0, -3.0}, merged(MergeMethod.TIES, 0.5, 2, 0.5), 1e-6);
    }

    @Test
    void dareTiesKeepsAboutTheDensityAndRescales() {
        double[] big = new double[4000];
        java.util.Arrays.fill(big, 1.0);
        double[] d = MaskedDeltas.of(MergeMethod.DARE_TIES, List.of(big), 40, 100, 0.25, 7, 0, DType.F64)
                .toDoubleArray();
        int kept = 0;
        for (double v : d) {
            if (v != 0) {
                kept++;
                org.junit.jupiter.api.Assertions.assertEquals(4.0, v, 1e-12); // 1/d, one agreeing adapter
            }
        }
        org.junit.jupiter.api.Assertions.assertTrue(kept > 850 && kept < 1150, "kept " + kept);
    }

    private static double[] merged(MergeMethod kind, double density, double w1, double w2) {
        Tensor d = MaskedDeltas.of(kind, List.of(T1, T2), 2, 3, density, 1, 0, DType.F64);
        return Tensor.of(DType.F64, new double[] {w1, w2}, 1, 2).matmul(d).toDoubleArray();
    }
}
