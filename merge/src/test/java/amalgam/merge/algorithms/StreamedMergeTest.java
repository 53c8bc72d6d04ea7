package amalgam.merge.algorithms;

import static amalgam.merge.algorithms.Fixtures.ARENA;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import amalgam.kernels.Backend;
import amalgam.kernels.Backends;
import amalgam.kernels.FloatSegments;
import amalgam.kernels.WorkerPool;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A dense merge of more adapters than memory holds, made one delta at a time ({@link
 * GeneralizedTaskArithmetic#mergeStreaming}), equals the merge of all deltas at once bit for bit, for every
 * dense method, election and semantics, on the vector backend as on the reference; and it holds two deltas,
 * not n.
 */
class StreamedMergeTest {

    private static final WorkerPool POOL = WorkerPool.of(2);
    /** More than two chunks of the sweeps, with a ragged last one. */
    private static final int ROWS = 181, COLS = 367;
    private static final double[] WEIGHTS = {1, -0.5, 2, 0.75, 1.25};

    @AfterAll
    static void closePool() {
        POOL.close();
    }

    static Stream<Arguments> merges() {
        MergeSettings base = MergeSettings.defaults().withDensity(0.4).withSeed(3).withGamma(0.05);
        List<Arguments> all = new ArrayList<>();
        for (MergeMethod method : MergeMethod.values()) {
            // Linear is factored, and SCE's selection needs every tensor at once: neither streams.
            if (!method.isTensorMerge() || method == MergeMethod.LINEAR || method == MergeMethod.SVD
                    || method == MergeMethod.SCE) {
                continue;
            }
            for (String backend : new String[] {"scalar", "cpu"}) {
                all.add(Arguments.of(method, base, backend));
                all.add(Arguments.of(method, base.withMajoritySign(MajoritySign.FREQUENCY), backend));
                all.add(Arguments.of(method, base.withMergekit(0.7), backend));
                all.add(Arguments.of(method, base.withMergekit(0.7).withNormalize(false), backend));
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("merges")
    void streamedEqualsTheWholeMergeBitForBit(MergeMethod method, MergeSettings settings, String backendName) {
        Backend backend = Backends.create(backendName, POOL);
        ComputeContext ctx = new ComputeContext(backend, POOL);
        List<MemorySegment> tensors = tensors(WEIGHTS.length, new Random(method.ordinal()));
        GeneralizedTaskArithmetic merge = (GeneralizedTaskArithmetic) method.tensorMerge(ctx, settings);
        long n = (long) ROWS * COLS;
        MemorySegment whole = FloatSegments.allocate(ARENA, n), streamed = FloatSegments.allocate(ARENA, n);
        merge.merge(ROWS, COLS, tensors, WEIGHTS, 7, whole);
        merge.mergeStreaming(ROWS, COLS, tensors.size(),
                (i, target) -> MemorySegment.copy(tensors.get(i), 0, target, 0, n * Float.BYTES), WEIGHTS, 7,
                FloatSegments.allocate(ARENA, n), streamed);
        assertArrayEquals(FloatSegments.toArray(whole, 0, (int) n), FloatSegments.toArray(streamed, 0, (int) n));
    }

    /**
     * Through the delta-space merge of LoRA updates: over the dense budget, 40 adapters are merged one delta at a
     * time into the same factors as the all-at-once merge, and the module's delta buffers hold two deltas, not 40.
     */
    @Test
    void theDeltaSpaceMergeOverItsBudgetGivesTheSameFactorsInTwoDeltasOfMemory() {
        ComputeContext ctx = new ComputeContext(Backends.create("cpu", POOL), POOL);
        Random random = new Random(21);
        int out = 48, in = 80, count = 40;
        List<LowRankUpdate> updates = new ArrayList<>();
        double[] weights = new double[count];
        for (int i = 0; i < count; i++) {
            updates.add(LowRank.random(random, out, in, 3, 0.5 + i % 3));
            weights[i] = i % 5 == 0 ? -0.5 : 1;
        }
        TensorMerge ties = MergeMethod.TIES.tensorMerge(ctx, MergeSettings.defaults().withDensity(0.3));
        long delta = (long) out * in * Float.BYTES;
        try (Arena arena = Arena.ofConfined()) {
            DeltaSpaceMerge atOnce = new DeltaSpaceMerge(ctx, new RandomizedSvd(ctx.backend(), 1));
            DeltaSpaceMerge streamed = new DeltaSpaceMerge(ctx, new RandomizedSvd(ctx.backend(), 1), 4 * delta);
            LowRankUpdate expected = atOnce.dense(updates, weights, ties, 8, 2, arena);
            LowRankUpdate actual = streamed.dense(updates, weights, ties, 8, 2, arena);
            assertArrayEquals(FloatSegments.toArray(expected.a().data(), 0, 8 * in),
                    FloatSegments.toArray(actual.a().data(), 0, 8 * in));
            assertArrayEquals(FloatSegments.toArray(expected.b().data(), 0, out * 8),
                    FloatSegments.toArray(actual.b().data(), 0, out * 8));
            assertTrue(atOnce.bufferBytes() == count * delta, atOnce.bufferBytes() + " bytes");
            assertTrue(streamed.bufferBytes() == 2 * delta, streamed.bufferBytes() + " bytes");
        }
    }

    /** Gaussian tensors with a third of the entries on few magnitudes (ties at the thresholds) and some zeros. */
    private static List<MemorySegment> tensors(int count, Random random) {
        List<MemorySegment> tensors = new ArrayList<>();
        int n = ROWS * COLS;
        for (int t = 0; t < count; t++) {
            float[] v = Fixtures.random(random, n);
            for (int i = 0; i < n; i += 3) v[i] = Math.round(v[i] * 2) / 2f;
            tensors.add(FloatSegments.of(ARENA, v));
        }
        return tensors;
    }
}
