package amalgam.merge.algorithms;

import amalgam.kernels.FloatSegments;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Runs a dense delta-space merge on small random modules before the real ones, so that the JIT has compiled
 * its loops by the time the first full-size module arrives.
 *
 * <p>Why: Vector API code is fast only once C2 has compiled it; interpreted or C1-compiled, every vector
 * operation allocates, and a command-line merge spent most of its first module (seconds) there. Small modules
 * reach the compile thresholds for a few milliseconds of work. The results are thrown away.
 */
public final class DenseMergeWarmup {

    private static final int ROWS = 192, COLS = 256, RANK = 8, REPETITIONS = 40;

    private DenseMergeWarmup() {}

    /** Merges {@code adapters} random rank-8 192×256 updates {@link #REPETITIONS} times with {@code merge}. */
    public static void run(DeltaSpaceMerge deltaSpace, TensorMerge merge, int adapters, int rank) {
        run(deltaSpace, merge, adapters, rank, REPETITIONS);
    }

    static void run(DeltaSpaceMerge deltaSpace, TensorMerge merge, int adapters, int rank, int repetitions) {
        SplittableRandom random = new SplittableRandom(1);
        double[] weights = new double[adapters];
        Arrays.fill(weights, 1);
        try (Arena arena = Arena.ofShared()) {
            List<LowRankUpdate> updates = new ArrayList<>();
            for (int i = 0; i < adapters; i++) {
                updates.add(new LowRankUpdate(gaussian(arena, ROWS, RANK, random), gaussian(arena, RANK, COLS, random), 1));
            }
            for (int r = 0; r < repetitions; r++) {
                try (Arena result = Arena.ofConfined()) {
                    deltaSpace.dense(updates, weights, merge, Math.min(rank, RANK), r, result);
                }
            }
        }
    }

    private static DenseMatrix gaussian(Arena arena, int rows, int cols, SplittableRandom random) {
        DenseMatrix m = DenseMatrix.zeros(arena, rows, cols);
        MemorySegment data = m.data();
        for (long i = 0; i < m.size(); i++) FloatSegments.set(data, i, (float) random.nextGaussian());
        return m;
    }
}
