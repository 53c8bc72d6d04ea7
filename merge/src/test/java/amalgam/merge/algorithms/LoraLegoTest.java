package amalgam.merge.algorithms;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static amalgam.merge.algorithms.Fixtures.ARENA;
import static amalgam.merge.algorithms.Fixtures.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class LoraLegoTest {

    private static final double TOL = 1e-6;
    // docs/merging.md: two rank-1 units [a ; b] = [1,0 ; 2,0] and [0,1 ; 0,2].
    private static final List<LowRankUpdate> UNITS = List.of(
            LowRank.update(2, 2, new float[] {2, 0}, new float[] {1, 0}, 1),
            LowRank.update(2, 2, new float[] {0, 2}, new float[] {0, 1}, 1));
    private static final double[] ONES = {1, 1};

    @Test
    void centroidIsTheMeanOfRawUnits() {
        LowRankUpdate merged = new LoraLego(1, 0, LegoReweighting.NONE, true).merge(UNITS, ONES, ARENA);
        assertClose(new float[] {0.5f, 0.5f}, merged.a().toArray(), TOL);
        assertClose(new float[] {1, 1}, merged.b().toArray(), TOL);
    }

    @Test
    void l2ReweightingExample() {
        LowRankUpdate merged = new LoraLego(1, 0, LegoReweighting.L2, true).merge(UNITS, ONES, ARENA);
        assertClose(new double[] {1, 1, 1, 1}, LowRank.delta(merged), TOL);
    }

    @Test
    void linfReweightingExample() {
        LowRankUpdate merged = new LoraLego(1, 0, LegoReweighting.LINF, true).merge(UNITS, ONES, ARENA);
        assertClose(new double[] {2, 2, 2, 2}, LowRank.delta(merged), TOL);
    }

    @Test
    void outputReweightingScalesBySquareRootOfRankOverClusters() {
        Random random = new Random(3);
        List<LowRankUpdate> adapters = List.of(LowRank.random(random, 5, 4, 4, 1), LowRank.random(random, 5, 4, 4, 1));
        double[] with = LowRank.delta(new LoraLego(2, 7, LegoReweighting.L2, true).merge(adapters, ONES, ARENA));
        double[] without = LowRank.delta(new LoraLego(2, 7, LegoReweighting.L2, false).merge(adapters, ONES, ARENA));
        for (int i = 0; i < with.length; i++) assertEquals(Math.sqrt(4.0 / 2) * without[i], with[i], 1e-5);
    }

    @Test
    void oneClusterPerUnitWithoutOutputReweightingIsCat() {
        Random random = new Random(5);
        List<LowRankUpdate> adapters = List.of(LowRank.random(random, 6, 5, 2, 0.5), LowRank.random(random, 6, 5, 3, 2));
        double[] weights = {1.5, -0.5};
        LowRankUpdate merged = new LoraLego(5, 1, LegoReweighting.L2, false).merge(adapters, weights, ARENA);
        LowRank.assertDeltaEquals(LowRank.weightedSum(adapters.toArray(LowRankUpdate[]::new), weights),
                LowRank.delta(merged), 1e-6);
    }

    @Test
    void permutingRankSlicesChangesNothing() {
        Random random = new Random(11);
        LowRankUpdate first = LowRank.random(random, 8, 6, 4, 1), second = LowRank.random(random, 8, 6, 4, 1);
        LoraLego lego = new LoraLego(3, 42, LegoReweighting.L2, true);
        double[] original = LowRank.delta(lego.merge(List.of(first, second), ONES, ARENA));
        LowRankUpdate shuffled = LowRank.permuteSlices(first, new int[] {2, 0, 3, 1});
        double[] permuted = LowRank.delta(lego.merge(List.of(shuffled, second), ONES, ARENA));
        assertClose(original, permuted, 1e-12);
    }

    @Test
    void moreClustersThanUnitsIsAnError() {
        assertThrows(IllegalArgumentException.class,
                () -> new LoraLego(3, 0, LegoReweighting.L2, true).merge(UNITS, ONES, ARENA));
    }
}
