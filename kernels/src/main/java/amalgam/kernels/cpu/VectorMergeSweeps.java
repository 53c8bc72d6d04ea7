package amalgam.kernels.cpu;

import amalgam.kernels.ElectedMean;
import amalgam.kernels.MergeSweeps;
import amalgam.kernels.WorkerPool;

import java.lang.foreign.MemorySegment;

/**
 * {@link MergeSweeps} with the Vector API, chunk by chunk over a {@link WorkerPool}: {@link MagnitudeRankKeep}
 * and {@link ElectedMeanLoop} do the work; this class only splits it.
 */
public final class VectorMergeSweeps implements MergeSweeps {

    /** Elements per chunk: large enough to amortise the hand-out, small enough to balance two to 64 cores. */
    static final long CHUNK = 1 << 15;

    private final WorkerPool pool;

    public VectorMergeSweeps(WorkerPool pool) {
        this.pool = pool;
    }

    /** A range [from, to) of element indices, the {@code chunk}-th of a sweep. */
    @FunctionalInterface
    interface ChunkBody {
        void run(int chunk, long from, long to);
    }

    static int chunkCount(long n) {
        long count = (n + CHUNK - 1) / CHUNK;
        if (count > Integer.MAX_VALUE) throw new IllegalArgumentException("tensor too large: " + n + " elements");
        return (int) count;
    }

    /** Runs {@code body} once per chunk of [0, n), in parallel; chunk c covers [c·CHUNK, min(n, (c+1)·CHUNK)). */
    void forEachChunk(long n, ChunkBody body) {
        pool.parallelFor(chunkCount(n), c -> body.run(c, c * CHUNK, Math.min(n, (c + 1) * CHUNK)));
    }

    /** The k-th largest |x| over [0, n): the threshold of a rank window's edge. */
    float kthLargestAbs(long n, long k, MemorySegment x) {
        return AbsRadixSelect.select(n, k, x, 0, pool);
    }

    @Override
    public void keepMagnitudeRanks(long n, MemorySegment x, long fromRank, long toRank, MemorySegment out) {
        MergeSweeps.checkRanks(fromRank, toRank);
        TopMagnitude upTo = TopMagnitude.of(this, n, x, toRank);
        TopMagnitude before = TopMagnitude.of(this, n, x, fromRank);
        forEachChunk(n, (c, from, to) -> MagnitudeRankKeep.keep(upTo, before, c, x, from, to, out));
    }

    @Override
    public void electedMean(ElectedMean mean, long n, MemorySegment[] tensors, double[] weights, MemorySegment out) {
        MergeSweeps.checkTensors(tensors, weights);
        forEachChunk(n, (c, from, to) -> ElectedMeanLoop.run(mean, tensors, weights, from, to, out));
    }
}
