package amalgam.merge.algorithms;

import amalgam.kernels.FloatSegments;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static amalgam.merge.algorithms.Fixtures.ARENA;
import static amalgam.merge.algorithms.Fixtures.CTX;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * The fast path of a dense merge sparsifies the deltas where they lie, writes the result over the first one,
 * and keeps its delta buffers from module to module: all of that must give what the copying path gives.
 */
class OverwritingMergeTest {

    private static List<TensorMerge> merges() {
        MergeSettings s = MergeSettings.defaults().withDensity(0.3).withSeed(5);
        List<TensorMerge> merges = new ArrayList<>();
        for (MergeMethod m : MergeMethod.values()) {
            if (m.isTensorMerge()) merges.add(m.tensorMerge(CTX, s));
        }
        // A merge with only the interface's default, which must not alias its inputs either.
        merges.add((rows, cols, tensors, weights, stream, out) -> new GeneralizedTaskArithmetic(CTX,
                MagnitudeSparsifier.topDensity(CTX, 0.5), MajoritySign.TOTAL, Semantics.PEFT, false, 1)
                .merge(rows, cols, tensors, weights, stream, out));
        return merges;
    }

    private static List<MemorySegment> copies(List<float[]> tensors) {
        return tensors.stream().map(t -> FloatSegments.of(ARENA, t)).toList();
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 33, 257})
    void mergingOverTheInputsEqualsMergingIntoANewTensor(int cols) {
        Random random = new Random(cols);
        int rows = 3;
        List<float[]> tensors = List.of(Fixtures.random(random, rows * cols), Fixtures.random(random, rows * cols),
                Fixtures.random(random, rows * cols));
        double[] weights = {1, -0.5, 2};
        for (TensorMerge merge : merges()) {
            MemorySegment expected = FloatSegments.allocate(ARENA, (long) rows * cols);
            merge.merge(rows, cols, copies(tensors), weights, 9, expected);
            List<MemorySegment> scratch = copies(tensors);
            merge.mergeOverwriting(rows, cols, scratch, weights, 9, scratch.getFirst());
            assertArrayEquals(FloatSegments.toArray(expected, 0, rows * cols),
                    FloatSegments.toArray(scratch.getFirst(), 0, rows * cols), merge.toString());
        }
    }

    @Test
    void reusedDeltaBuffersGiveWhatFreshOnesGive() {
        Random random = new Random(12);
        List<LowRankUpdate> big = List.of(LowRank.random(random, 40, 33, 3, 0.5), LowRank.random(random, 40, 33, 2, 2));
        List<LowRankUpdate> small = List.of(LowRank.random(random, 7, 9, 2, 1), LowRank.random(random, 7, 9, 2, 1));
        double[] weights = {1, 0.8};
        TensorMerge ties = MergeMethod.TIES.tensorMerge(CTX, MergeSettings.defaults().withDensity(0.4));
        DeltaSpaceMerge reused = new DeltaSpaceMerge(CTX, new RandomizedSvd(CTX.backend(), 1));
        // Big, then small (in the big buffers), then big again (in buffers holding the small module's data).
        for (List<LowRankUpdate> module : List.of(big, small, big)) {
            DeltaSpaceMerge fresh = new DeltaSpaceMerge(CTX, new RandomizedSvd(CTX.backend(), 1));
            assertArrayEquals(LowRank.delta(fresh.dense(module, weights, ties, 3, 0, ARENA)),
                    LowRank.delta(reused.dense(module, weights, ties, 3, 0, ARENA)), 0);
        }
    }
}
