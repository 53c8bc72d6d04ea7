package amalgam.bench;

import amalgam.kernels.FloatSegments;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;

/** What the kernel benchmarks share around their measured call: seeded operands, and closing what they measured. */
final class BenchOperands {

    private BenchOperands() {}

    /** count floats uniform in [−1, 1), the same for the same seed, so every implementation sees the same data. */
    static MemorySegment uniform(Arena arena, long count, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        MemorySegment segment = FloatSegments.allocate(arena, count);
        for (long i = 0; i < count; i++) FloatSegments.set(segment, i, (float) (random.nextDouble() * 2 - 1));
        return segment;
    }

    /** Releases a kernel that holds native or device resources (the CUDA ones do); others need nothing. */
    /** An r × c factor of a synthetic LoRA: entries uniform in ±1/8, drawn row by row from {@code random}. */
    static amalgam.merge.algorithms.DenseMatrix uniformFactor(Arena arena, int r, int c, java.util.SplittableRandom random) {
        amalgam.merge.algorithms.DenseMatrix m = amalgam.merge.algorithms.DenseMatrix.zeros(arena, r, c);
        for (int i = 0; i < r; i++) {
            for (int j = 0; j < c; j++) m.set(i, j, (float) (random.nextDouble() * 2 - 1) / 8);
        }
        return m;
    }

    static void closeIfCloseable(Object kernel) {
        if (kernel instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
