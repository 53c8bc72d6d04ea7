package amalgam.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The chunked squared norm against a plain loop, on lengths around its chunk of 2¹⁴ floats. */
class FloatSegmentsTest {

    @Test
    void squaredNormMatchesAPlainLoopOnAwkwardLengths() {
        Random random = new Random(11);
        int chunk = 1 << 14;
        for (int n : new int[] {0, 1, 3, 7, 33, 257, chunk - 1, chunk, chunk + 1, 3 * chunk + 5}) {
            try (Arena arena = Arena.ofConfined()) {
                float[] values = new float[n];
                for (int i = 0; i < n; i++) values[i] = (float) (random.nextGaussian() * Math.exp(random.nextGaussian()));
                MemorySegment segment = FloatSegments.of(arena, values);
                double expected = 0;
                for (float v : values) expected += (double) v * v;
                assertEquals(expected, FloatSegments.squaredNorm(segment, n), 1e-12 * expected, "n = " + n);
            }
        }
    }

    @Test
    void squaredNormReadsOnlyTheFirstCountFloats() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment segment = FloatSegments.of(arena, 3, 4, 100, Float.NaN);
            assertEquals(25, FloatSegments.squaredNorm(segment, 2));
        }
    }
}
