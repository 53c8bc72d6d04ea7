package amalgam.merge.algorithms;

import static amalgam.merge.algorithms.Fixtures.CTX;
import static amalgam.merge.algorithms.Fixtures.assertClose;
import static amalgam.merge.algorithms.Fixtures.mergeExample;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;

/** mergekit's per-model density: each adapter sparsified at its own density, everything else unchanged. */
class PerAdapterDensityTest {

    @Test
    void magnitudePruneKeepsEachAdaptersOwnShare() {
        // T1 at d = 0.5 keeps its 3 largest (2.0, -1.5, -1.3); T2 at d = 0.3 keeps ⌊1.8⌋ = 1 entry (-2.0).
        TensorMerge merge = MergeMethod.MAGNITUDE_PRUNE.tensorMerge(CTX, MergeSettings.defaults(), new double[] {0.5, 0.3});
        assertClose(new float[] {0, -1.3f, 2.0f, 0, -2.0f, -1.5f}, mergeExample(merge, 1, 1), 1e-6);
    }

    @Test
    void tiesElectsOverTheSeparatelyTrimmedTensors() {
        // Trimmed: p1 = [0, -1.3, 2.0, 0, 0, -1.5], p2 = [0, 0, 0, 0, -2.0, 0]; no entry has two contributors.
        TensorMerge merge = MergeMethod.TIES.tensorMerge(CTX, MergeSettings.defaults(), new double[] {0.5, 0.3});
        assertClose(new float[] {0, -1.3f, 2.0f, 0, -2.0f, -1.5f}, mergeExample(merge, 1, 1), 1e-6);
    }

    @Test
    void randomMasksAreThoseOfEachAdaptersDensityAlone() {
        MergeSettings settings = MergeSettings.defaults().withSeed(11);
        for (MergeMethod method : new MergeMethod[] {MergeMethod.DARE_LINEAR, MergeMethod.DELLA_LINEAR}) {
            TensorMerge mixed = method.tensorMerge(CTX, settings, new double[] {0.4, 0.8});
            TensorMerge low = method.tensorMerge(CTX, settings.withDensity(0.4));
            TensorMerge high = method.tensorMerge(CTX, settings.withDensity(0.8));
            // A zero weight isolates one adapter's sparsified tensor.
            assertArrayEquals(mergeExample(low, 1, 0), mergeExample(mixed, 1, 0), method.cliName() + ", adapter 1");
            assertArrayEquals(mergeExample(high, 0, 1), mergeExample(mixed, 0, 1), method.cliName() + ", adapter 2");
        }
    }

    @Test
    void equalDensitiesGiveTheUniformMerge() {
        MergeSettings settings = MergeSettings.defaults().withSeed(3).withDensity(0.5);
        assertArrayEquals(mergeExample(MergeMethod.DARE_TIES.tensorMerge(CTX, settings), 0.7, 0.3),
                mergeExample(MergeMethod.DARE_TIES.tensorMerge(CTX, settings, new double[] {0.5, 0.5}), 0.7, 0.3));
    }
}
