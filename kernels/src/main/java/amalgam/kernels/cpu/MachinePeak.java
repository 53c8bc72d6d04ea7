package amalgam.kernels.cpu;

import amalgam.kernels.WorkerPool;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Measures what this machine can do at best, so that kernel speeds can be read as a share of it:
 * the fp32 fused-multiply-add peak of the Vector API and the memory copy bandwidth.
 */
public final class MachinePeak {

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    // Independent accumulator chains: more than FMA latency × ports (4 cycles × 2) so the ports never wait;
    // 10 measured ~half the peak on Zen 5 with 512-bit vectors, 12 reached it.
    private static final int CHAINS = 12;

    private MachinePeak() {}

    /** Peak fp32 GFLOP/s from independent FMA chains on every thread of the pool (an FMA counts 2 FLOP). */
    public static double fmaGflops(WorkerPool pool, int iterationsPerThread) {
        // Many short calls get the loop compiled by C2; one long interpreted call would take ages.
        for (int i = 0; i < 3_000; i++) fmaLoop(2_000);
        double[] sink = new double[pool.threads()];
        long best = Long.MAX_VALUE;
        // Best of several runs: a peak is what the machine can do, not what it did while busy elsewhere.
        for (int run = 0; run < 5; run++) {
            long start = System.nanoTime();
            pool.parallelFor(pool.threads(), t -> sink[t] += fmaLoop(iterationsPerThread));
            best = Math.min(best, System.nanoTime() - start);
        }
        if (Double.isNaN(sink[0] + 1)) throw new AssertionError(); // keeps the loop result alive
        return 2.0 * CHAINS * SPECIES.length() * iterationsPerThread * pool.threads() / best;
    }

    // An int counter: a long one makes C2 keep safepoint polls and loop strip-mining that cost throughput.
    private static double fmaLoop(int iterations) {
        FloatVector a = FloatVector.broadcast(SPECIES, 0.999f), b = FloatVector.broadcast(SPECIES, 1e-7f);
        FloatVector c0 = FloatVector.broadcast(SPECIES, 1), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0;
        FloatVector c6 = c0, c7 = c0, c8 = c0, c9 = c0, c10 = c0, c11 = c0;
        for (int i = 0; i < iterations; i++) {
            c0 = c0.fma(a, b); c1 = c1.fma(a, b); c2 = c2.fma(a, b); c3 = c3.fma(a, b); c4 = c4.fma(a, b);
            c5 = c5.fma(a, b); c6 = c6.fma(a, b); c7 = c7.fma(a, b); c8 = c8.fma(a, b); c9 = c9.fma(a, b);
            c10 = c10.fma(a, b); c11 = c11.fma(a, b);
        }
        return c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10).add(c11)
                .reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
    }

    /** Copy bandwidth in GB/s (bytes read + bytes written) over a buffer far larger than the caches. */
    public static double copyGBs(long bytes, int repetitions) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment source = arena.allocate(bytes, 64);
            MemorySegment target = arena.allocate(bytes, 64);
            source.fill((byte) 1);
            target.copyFrom(source); // touch both once so page faults stay out of the timing
            long best = Long.MAX_VALUE;
            for (int r = 0; r < repetitions; r++) {
                long start = System.nanoTime();
                target.copyFrom(source);
                best = Math.min(best, System.nanoTime() - start);
            }
            return 2.0 * bytes / best;
        }
    }
}
