package amalgam.merge.algorithms;

import amalgam.kernels.Backend;
import amalgam.kernels.WorkerPool;

/**
 * Where merges compute: a kernels {@link Backend} for GEMM, magnitude pruning, sign election and the disjoint
 * mean, and a {@link WorkerPool} for the sweeps still written here (DARE and DELLA masks), which run chunk
 * by chunk.
 */
public record ComputeContext(Backend backend, WorkerPool pool) {

    /** Elements per chunk: large enough to amortise the hand-out, small enough to balance two to 64 cores. */
    static final long CHUNK = 1 << 15;

    /** A range [from, to) of element indices, the {@code chunk}-th of a sweep. */
    @FunctionalInterface
    public interface ChunkBody {
        void run(int chunk, long from, long to);
    }

    public static int chunkCount(long n) {
        long count = (n + CHUNK - 1) / CHUNK;
        if (count > Integer.MAX_VALUE) throw new IllegalArgumentException("tensor too large: " + n + " elements");
        return (int) count;
    }

    /** Runs {@code body} once per chunk of [0, n), in parallel; chunk c covers [c·CHUNK, min(n, (c+1)·CHUNK)). */
    public void forEachChunk(long n, ChunkBody body) {
        pool.parallelFor(chunkCount(n), c -> body.run(c, c * CHUNK, Math.min(n, (c + 1) * CHUNK)));
    }
}
