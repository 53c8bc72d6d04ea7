package amalgam.merge.algorithms;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static amalgam.merge.algorithms.Fixtures.ARENA;
import static amalgam.merge.algorithms.Fixtures.CTX;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Properties of the low-rank merges from issue 4: exactness, scaling once, negative weights, permutations. */
class DeltaSpaceMergeTest {

    private final Random random = new Random(2024);
    private final LowRankUpdate first = LowRank.random(random, 12, 9, 3, 0.5);
    private final LowRankUpdate second = LowRank.random(random, 12, 9, 2, 2.0);
    private final LowRankUpdate[] both = {first, second};
    private final double[] weights = {0.7, 1.3};

    @Test
    void catIsExact() {
        LowRankUpdate merged = Concatenation.cat(List.of(both), weights, ARENA);
        assertEquals(5, merged.rank());
        LowRank.assertDeltaEquals(LowRank.weightedSum(both, weights), LowRank.delta(merged), 1e-6);
    }

    @Test
    void svdWithRankAtLeastTheSumOfRanksIsExact() {
        for (int rank : new int[] {5, 7}) {
            LowRankUpdate merged = DeltaSpaceMerge.svd(List.of(both), weights, rank, ARENA);
            assertEquals(rank, merged.rank());
            LowRank.assertDeltaEquals(LowRank.weightedSum(both, weights), LowRank.delta(merged), 1e-6);
        }
    }

    @Test
    void svdTruncationMatchesTheOptimalError() {
        double[] sum = LowRank.weightedSum(both, weights);
        LowRankUpdate merged = DeltaSpaceMerge.svd(List.of(both), weights, 2, ARENA);
        double[] residual = LowRank.delta(merged);
        for (int i = 0; i < sum.length; i++) residual[i] = sum[i] - residual[i];
        double optimal = SvdOracle.optimalError(sum, 12, 9, 2);
        assertEquals(optimal, LowRank.frobenius(residual), 1e-5 * LowRank.frobenius(sum));
    }

    @Test
    void svdOfDependentFactorsIsStillExact() {
        LowRankUpdate merged = DeltaSpaceMerge.svd(List.of(first, first), new double[] {1, 2}, 6, ARENA);
        LowRank.assertDeltaEquals(LowRank.weightedSum(new LowRankUpdate[] {first}, new double[] {3}),
                LowRank.delta(merged), 1e-6);
    }

    @Test
    void permutingRankSlicesChangesNothing() {
        LowRankUpdate permuted = LowRank.permuteSlices(first, new int[] {2, 0, 1});
        double[] original = LowRank.delta(DeltaSpaceMerge.svd(List.of(first, second), weights, 3, ARENA));
        double[] shuffled = LowRank.delta(DeltaSpaceMerge.svd(List.of(permuted, second), weights, 3, ARENA));
        LowRank.assertDeltaEquals(original, shuffled, 1e-5);
    }

    @Test
    void scalingIsFoldedExactlyOnce() {
        // α = 2r gives s = 2: the merged update is twice B·A, not four times.
        LowRankUpdate unscaled = new LowRankUpdate(first.b(), first.a(), 1);
        LowRankUpdate doubled = new LowRankUpdate(first.b(), first.a(), 2 * 3 / 3.0);
        double[] base = LowRank.delta(unscaled);
        double[] viaSvd = LowRank.delta(DeltaSpaceMerge.svd(List.of(doubled), new double[] {1}, 3, ARENA));
        double[] viaCat = LowRank.delta(Concatenation.cat(List.of(doubled), new double[] {1}, ARENA));
        TensorMerge linear = MergeMethod.LINEAR.tensorMerge(CTX, MergeSettings.defaults());
        double[] viaDense = LowRank.delta(new DeltaSpaceMerge(CTX, new RandomizedSvd(CTX.backend(), 1))
                .dense(List.of(doubled), new double[] {1}, linear, 3, 0, ARENA));
        double[] viaFactors = LowRank.delta(FactorSpaceMerge.merge(List.of(doubled), new double[] {1}, linear, 0, ARENA));
        for (int i = 0; i < base.length; i++) base[i] *= 2;
        LowRank.assertDeltaEquals(base, viaSvd, 1e-6);
        LowRank.assertDeltaEquals(base, viaCat, 1e-6);
        LowRank.assertDeltaEquals(base, viaDense, 1e-5);
        LowRank.assertDeltaEquals(base, viaFactors, 1e-6);
    }

    @Test
    void negativeWeightsSubtract() {
        double[] difference = LowRank.weightedSum(both, new double[] {1, -1});
        LowRank.assertDeltaEquals(difference,
                LowRank.delta(DeltaSpaceMerge.svd(List.of(both), new double[] {1, -1}, 5, ARENA)), 1e-6);
        LowRank.assertDeltaEquals(difference,
                LowRank.delta(Concatenation.cat(List.of(both), new double[] {1, -1}, ARENA)), 1e-6);
        double[] cancelled = LowRank.delta(DeltaSpaceMerge.svd(List.of(first, first), new double[] {1, -1}, 3, ARENA));
        assertEquals(0, LowRank.frobenius(cancelled), 1e-6 * LowRank.frobenius(LowRank.delta(first)));
    }

    @Test
    void negativeWeightsSubtractInFactorSpace() {
        // One adapter with weight −1: (√1 B)(−√1 A) = −B·A, no NaN from the square root.
        TensorMerge linear = MergeMethod.LINEAR.tensorMerge(CTX, MergeSettings.defaults());
        double[] negated = LowRank.delta(FactorSpaceMerge.merge(List.of(first), new double[] {-1}, linear, 0, ARENA));
        double[] expected = LowRank.weightedSum(new LowRankUpdate[] {first}, new double[] {-1});
        LowRank.assertDeltaEquals(expected, negated, 1e-6);
    }

    @Test
    void denseLinearMergeAgreesWithTheFactoredSvd() {
        TensorMerge linear = MergeMethod.LINEAR.tensorMerge(CTX, MergeSettings.defaults());
        DeltaSpaceMerge delta = new DeltaSpaceMerge(CTX, new RandomizedSvd(CTX.backend(), 9));
        double[] dense = LowRank.delta(delta.dense(List.of(both), weights, linear, 5, 0, ARENA));
        LowRank.assertDeltaEquals(LowRank.weightedSum(both, weights), dense, 1e-5);
    }

    @Test
    void denseTiesWithFullDensityAndOneAdapterIsThatAdapter() {
        TensorMerge ties = MergeMethod.TIES.tensorMerge(CTX, MergeSettings.defaults());
        DeltaSpaceMerge delta = new DeltaSpaceMerge(CTX, new RandomizedSvd(CTX.backend(), 9));
        double[] merged = LowRank.delta(delta.dense(List.of(first), new double[] {1}, ties, 3, 0, ARENA));
        LowRank.assertDeltaEquals(LowRank.delta(first), merged, 1e-5);
    }

    @Test
    void factorSpaceNeedsEqualRanks() {
        TensorMerge linear = MergeMethod.LINEAR.tensorMerge(CTX, MergeSettings.defaults());
        assertThrows(IllegalArgumentException.class,
                () -> FactorSpaceMerge.merge(List.of(both), weights, linear, 0, ARENA));
    }

    @Test
    void mismatchedWeightsAreAnError() {
        assertThrows(IllegalArgumentException.class,
                () -> DeltaSpaceMerge.svd(List.of(both), new double[] {1}, 2, ARENA));
    }
}
