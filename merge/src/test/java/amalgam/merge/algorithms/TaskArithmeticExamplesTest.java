package amalgam.merge.algorithms;

import org.junit.jupiter.api.Test;

import static amalgam.merge.algorithms.Fixtures.CTX;
import static amalgam.merge.algorithms.Fixtures.assertClose;
import static amalgam.merge.algorithms.Fixtures.mergeExample;

/** The hand-checked per-tensor examples of docs/merging.md, one test each, exact to 1e-6. */
class TaskArithmeticExamplesTest {

    private static final double TOL = 1e-6;
    private static final MergeSettings PEFT = MergeSettings.defaults();

    private static TensorMerge merge(MergeMethod method, MergeSettings settings) {
        return method.tensorMerge(CTX, settings);
    }

    @Test
    void taskArithmetic() {
        assertClose(new float[] {0.23f, -0.55f, 1.7f, -0.18f, -0.04f, -1.23f},
                mergeExample(merge(MergeMethod.LINEAR, PEFT), 0.7, 0.3), TOL);
    }

    @Test
    void magnitudePruneHalf() {
        assertClose(new float[] {0, -0.55f, 1.7f, 0, -0.6f, -1.05f},
                mergeExample(merge(MergeMethod.MAGNITUDE_PRUNE, PEFT.withDensity(0.5)), 0.7, 0.3), TOL);
    }

    @Test
    void magnitudePruneThirtyPercent() {
        assertClose(new float[] {0, 0, 2.0f, 0, -2.0f, 0},
                mergeExample(merge(MergeMethod.MAGNITUDE_PRUNE, PEFT.withDensity(0.3)), 1, 1), TOL);
    }

    @Test
    void tiesTotal() {
        assertClose(new float[] {0, -1.3f, 1.5f, 0, -2.0f, -1.5f},
                mergeExample(merge(MergeMethod.TIES, PEFT.withDensity(0.5)), 1, 1), TOL);
    }

    @Test
    void tiesFrequency() {
        MergeSettings s = PEFT.withDensity(0.5).withMajoritySign(MajoritySign.FREQUENCY);
        assertClose(new float[] {0, 1.2f, 1.5f, 0, -2.0f, -1.5f},
                mergeExample(merge(MergeMethod.TIES, s), 1, 1), TOL);
    }

    @Test
    void tiesUnequalWeights() {
        assertClose(new float[] {0, -2.6f, 2.25f, 0, -1.0f, -3.0f},
                mergeExample(merge(MergeMethod.TIES, PEFT.withDensity(0.5)), 2, 0.5), TOL);
    }

    @Test
    void mergekitTiesNormalizedFavouringFirst() {
        MergeSettings s = PEFT.withDensity(0.5).withMergekit(1);
        assertClose(new float[] {0, -1.3f, 1.8f, 0, -2.0f, -1.5f},
                mergeExample(merge(MergeMethod.TIES, s), 2, 0.5), TOL);
    }

    @Test
    void mergekitTiesNormalizedFavouringSecond() {
        MergeSettings s = PEFT.withDensity(0.5).withMergekit(1);
        assertClose(new float[] {0, 1.2f, 1.2f, 0, -2.0f, -1.5f},
                mergeExample(merge(MergeMethod.TIES, s), 0.5, 2), TOL);
    }

    private static final long[][] MASKS = {{1, 1, 0, 1, 0, 1}, {1, 1, 1, 0, 1, 0}};
    private static final KeepMask FIXED = (adapter, stream, index, p) -> MASKS[adapter][(int) index] == 1;

    @Test
    void dareLinearWithFixedMasks() {
        DareSparsifier dare = new DareSparsifier(CTX, 0.5, Semantics.PEFT, FIXED);
        TensorMerge merge = new GeneralizedTaskArithmetic(CTX, dare, null, Semantics.PEFT, false, 1);
        assertClose(new float[] {0.2f, -0.2f, 2.0f, -0.6f, -4.0f, -3.0f}, mergeExample(merge, 1, 1), TOL);
    }

    @Test
    void dareTiesWithFixedMasks() {
        DareSparsifier dare = new DareSparsifier(CTX, 0.5, Semantics.PEFT, FIXED);
        TensorMerge merge = new GeneralizedTaskArithmetic(CTX, dare, MajoritySign.TOTAL, Semantics.PEFT, false, 1);
        assertClose(new float[] {1.0f, -2.6f, 2.0f, -0.6f, -4.0f, -3.0f}, mergeExample(merge, 1, 1), TOL);
    }
}
