package amalgam.merge.algorithms;

import org.junit.jupiter.api.Test;

import java.util.List;

import static amalgam.merge.algorithms.Fixtures.ARENA;
import static amalgam.merge.algorithms.Fixtures.CTX;
import static amalgam.merge.algorithms.Fixtures.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** docs/merging.md's LoRA-factor examples: r = 1, s = 1, A1=[[1,2]], B1=[[1],[0]], A2=[[0,1]], B2=[[0],[1]]. */
class LowRankExamplesTest {

    private static final double TOL = 1e-6;
    private static final LowRankUpdate FIRST = LowRank.update(2, 2, new float[] {1, 0}, new float[] {1, 2}, 1);
    private static final LowRankUpdate SECOND = LowRank.update(2, 2, new float[] {0, 1}, new float[] {0, 1}, 1);
    private static final List<LowRankUpdate> BOTH = List.of(FIRST, SECOND);

    @Test
    void catIsTheSum() {
        LowRankUpdate merged = Concatenation.cat(BOTH, new double[] {1, 1}, ARENA);
        assertEquals(2, merged.rank());
        assertClose(new double[] {1, 2, 0, 1}, LowRank.delta(merged), TOL);
    }

    @Test
    void factorSpaceLinearHasCrossTerms() {
        TensorMerge linear = MergeMethod.LINEAR.tensorMerge(CTX, MergeSettings.defaults());
        LowRankUpdate merged = FactorSpaceMerge.merge(BOTH, new double[] {1, 1}, linear, 0, ARENA);
        assertClose(new double[] {1, 3, 1, 3}, LowRank.delta(merged), TOL);
    }

    @Test
    void factorSpaceLinearSplitsWeightsAsSquareRoots() {
        TensorMerge linear = MergeMethod.LINEAR.tensorMerge(CTX, MergeSettings.defaults());
        LowRankUpdate merged = FactorSpaceMerge.merge(BOTH, new double[] {4, 1}, linear, 0, ARENA);
        assertClose(new double[] {4, 10, 2, 5}, LowRank.delta(merged), TOL);
    }

    @Test
    void deltaSpaceSvdRankOne() {
        LowRankUpdate merged = DeltaSpaceMerge.svd(BOTH, new double[] {1, 1}, 1, ARENA);
        assertEquals(1, merged.rank());
        assertClose(new double[] {0.853553, 2.060660, 0.353553, 0.853553}, LowRank.delta(merged), TOL);
    }
}
