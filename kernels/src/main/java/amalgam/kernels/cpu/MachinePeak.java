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
    /** FMA pipes per core and their latency in cycles: Zen 3, 4 and 5, and Intel cores since Skylake. */
    static final int FMA_UNITS = 2;
    static final int FMA_LATENCY_CYCLES = 4;
    /**
     * Independent accumulator chains per thread: at least units × latency (8) so a pipe never waits for a result;
     * twelve leaves slack and, with the two operands, fits AVX2's 16 registers (14 live). Measured on Zen 5,
     * one thread: 8, 12 and 16 chains all ≈ 115 GFLOP/s with 512-bit vectors; 24 spills to ≈ 85.
     */
    static final int CHAINS = 12;
    private static final int RUNS = 5;

    private MachinePeak() {}

    /**
     * Peak fp32 GFLOP/s from {@value #CHAINS} independent FMA chains on every thread of the pool (an FMA counts
     * 2 FLOP): the sum of each thread's best rate. Each thread times its own runs, so a thread slowed by another
     * process on a shared machine costs only its own share, not (as a time around the whole parallel loop did)
     * everyone's: that measured two threads at one thread's rate.
     */
    public static double fmaGflops(WorkerPool pool, int iterationsPerThread) {
        warmUp();
        int threads = pool.threads();
        long[] best = new long[threads];
        double[] sink = new double[threads];
        pool.parallelFor(threads, t -> {
            long fastest = Long.MAX_VALUE;
            // Best of several runs: a peak is what the machine can do, not what it did while busy elsewhere.
            for (int run = 0; run < RUNS; run++) {
                long start = System.nanoTime();
                sink[t] += fmaLoop(iterationsPerThread);
                fastest = Math.min(fastest, System.nanoTime() - start);
            }
            best[t] = fastest;
        });
        double gflops = 0;
        for (int t = 0; t < threads; t++) {
            if (Double.isNaN(sink[t] + 1)) throw new AssertionError(); // keeps the loop result alive
            gflops += 2.0 * CHAINS * SPECIES.length() * iterationsPerThread / best[t];
        }
        return gflops;
    }

    /** One thread, one dependent FMA chain: bound by latency, the floor any peak must clear. */
    static double singleChainGflops(int iterations) {
        warmUp();
        long best = Long.MAX_VALUE;
        double sink = 0;
        for (int run = 0; run < RUNS; run++) {
            long start = System.nanoTime();
            sink += singleChainLoop(iterations);
            best = Math.min(best, System.nanoTime() - start);
        }
        if (Double.isNaN(sink + 1)) throw new AssertionError();
        return 2.0 * SPECIES.length() * iterations / best;
    }

    // Many short calls get the loops compiled by C2; one long interpreted call would take ages.
    private static void warmUp() {
        for (int i = 0; i < 3_000; i++) {
            fmaLoop(2_000);
            singleChainLoop(2_000);
        }
    }

    /**
     * {@value #CHAINS} chains {@code c ← c·a + b}, chain i starting at i + 1 so that a test can tell them apart;
     * returns the sum over chains and lanes. An int counter: a long one makes C2 keep safepoint polls and loop
     * strip-mining that cost throughput.
     */
    static double fmaLoop(int iterations) {
        FloatVector a = FloatVector.broadcast(SPECIES, 0.999f), b = FloatVector.broadcast(SPECIES, 1e-7f);
        FloatVector c0 = FloatVector.broadcast(SPECIES, 1), c1 = FloatVector.broadcast(SPECIES, 2);
        FloatVector c2 = FloatVector.broadcast(SPECIES, 3), c3 = FloatVector.broadcast(SPECIES, 4);
        FloatVector c4 = FloatVector.broadcast(SPECIES, 5), c5 = FloatVector.broadcast(SPECIES, 6);
        FloatVector c6 = FloatVector.broadcast(SPECIES, 7), c7 = FloatVector.broadcast(SPECIES, 8);
        FloatVector c8 = FloatVector.broadcast(SPECIES, 9), c9 = FloatVector.broadcast(SPECIES, 10);
        FloatVector c10 = FloatVector.broadcast(SPECIES, 11), c11 = FloatVector.broadcast(SPECIES, 12);
        for (int i = 0; i < iterations; i++) {
            c0 = c0.fma(a, b); c1 = c1.fma(a, b); c2 = c2.fma(a, b); c3 = c3.fma(a, b); c4 = c4.fma(a, b);
            c5 = c5.fma(a, b); c6 = c6.fma(a, b); c7 = c7.fma(a, b); c8 = c8.fma(a, b); c9 = c9.fma(a, b);
            c10 = c10.fma(a, b); c11 = c11.fma(a, b);
        }
        return c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10).add(c11)
                .reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
    }

    private static double singleChainLoop(int iterations) {
        FloatVector a = FloatVector.broadcast(SPECIES, 0.999f), b = FloatVector.broadcast(SPECIES, 1e-7f);
        FloatVector c = FloatVector.broadcast(SPECIES, 1);
        for (int i = 0; i < iterations; i++) c = c.fma(a, b);
        return c.reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
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
