package amalgam.kernels.cuda;

import amalgam.kernels.FloatSegments;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Shared by the GPU parity tests: the visible skip where there is no GPU, seeded inputs, tolerant compares. */
final class CudaTestSupport {

    private CudaTestSupport() {}

    /** Skips the calling test, with the reason in the report, unless CUDA kernels can run here. */
    static CudaContext assumeCuda() {
        assumeTrue(CudaContext.isAvailable(), CudaContext.unavailableReason());
        return CudaContext.shared();
    }

    /** n floats uniform in [−1, 1), seeded. */
    static MemorySegment random(Arena arena, long n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        MemorySegment segment = FloatSegments.allocate(arena, n);
        for (long i = 0; i < n; i++) FloatSegments.set(segment, i, (float) (random.nextDouble() * 2 - 1));
        return segment;
    }

    static MemorySegment copy(Arena arena, MemorySegment source) {
        MemorySegment copy = arena.allocate(source.byteSize(), FloatSegments.ALIGNMENT);
        copy.copyFrom(source);
        return copy;
    }

    /** |actual − expected| ≤ abs + rel·|expected| elementwise; NaN must meet NaN, ±∞ the same ∞. */
    static void assertClose(String what, MemorySegment expected, MemorySegment actual, long offset, long n,
                            double abs, double rel) {
        for (long i = offset; i < offset + n; i++) {
            float e = FloatSegments.get(expected, i), a = FloatSegments.get(actual, i);
            if (Float.isNaN(e) || Float.isInfinite(e)) {
                assertEquals(e, a, what + ": element " + i);
                continue;
            }
            if (!(Math.abs(a - e) <= abs + rel * Math.abs(e))) {
                fail(what + ": element " + i + " expected " + e + " but was " + a + " (tolerance " + abs + " + "
                        + rel + "·|expected|)");
            }
        }
    }
}
