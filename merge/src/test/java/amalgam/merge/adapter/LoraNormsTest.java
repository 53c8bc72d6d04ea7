package amalgam.merge.adapter;

import static org.junit.jupiter.api.Assertions.assertEquals;

import amalgam.kernels.FloatSegments;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LoraNormsTest {

    @ParameterizedTest
    @CsvSource({"1,1,1", "1,7,33", "7,33,1", "4,16,24", "16,3,5", "5,257,7"})
    void matchesTheDenseFrobeniusNorm(int rank, int in, int out) {
        Random random = new Random(rank * 1000 + in * 10 + out);
        double scaling = -1.75;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = FloatSegments.allocate(arena, (long) rank * in);
            MemorySegment b = FloatSegments.allocate(arena, (long) out * rank);
            for (long i = 0; i < (long) rank * in; i++) FloatSegments.set(a, i, (float) random.nextGaussian());
            for (long i = 0; i < (long) out * rank; i++) FloatSegments.set(b, i, (float) random.nextGaussian());

            double dense = 0;
            double normA = 0;
            double normB = 0;
            for (int o = 0; o < out; o++) {
                for (int k = 0; k < in; k++) {
                    double entry = 0;
                    for (int j = 0; j < rank; j++) {
                        entry += (double) FloatSegments.get(b, (long) o * rank + j) * FloatSegments.get(a, (long) j * in + k);
                    }
                    dense += scaling * entry * scaling * entry;
                }
            }
            for (long i = 0; i < (long) rank * in; i++) normA += Math.pow(FloatSegments.get(a, i), 2);
            for (long i = 0; i < (long) out * rank; i++) normB += Math.pow(FloatSegments.get(b, i), 2);

            LoraNorms norms = LoraNorms.of(a, b, rank, in, out, scaling);
            assertEquals(Math.sqrt(dense), norms.delta(), 1e-9 * Math.sqrt(dense));
            assertEquals(Math.sqrt(normA), norms.a(), 1e-9 * Math.sqrt(normA));
            assertEquals(Math.sqrt(normB), norms.b(), 1e-9 * Math.sqrt(normB));
        }
    }

    @Test
    void handCheckedExample() {
        try (Arena arena = Arena.ofConfined()) {
            // A = [[1,0,0],[0,1,0]], B = [[1,0],[0,1],[0,0],[0,0]]: BA is a 4×3 partial identity with norm √2.
            MemorySegment a = FloatSegments.of(arena, 1, 0, 0, 0, 1, 0);
            MemorySegment b = FloatSegments.of(arena, 1, 0, 0, 1, 0, 0, 0, 0);
            LoraNorms norms = LoraNorms.of(a, b, 2, 3, 4, 3);
            assertEquals(3 * Math.sqrt(2), norms.delta(), 1e-12);
            assertEquals(Math.sqrt(2), norms.a(), 1e-12);
        }
    }
}
