package amalgam.merge.adapter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import amalgam.kernels.FloatSegments;
import amalgam.engine.io.FileDType;
import java.io.IOException;
import amalgam.merge.fuzz.CountingArena;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
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

    /**
     * A module whose factors span several blocks each (A by columns, B by rows, with ragged last blocks) gives the
     * norms of the whole factors loaded at once, while the reader allocates one block, a third of A as fp32.
     */
    @Test
    void adapterNormsReadInBlocksEqualTheWholeFactorsAndAllocateOneBlock(@TempDir Path dir) throws IOException {
        int rank = 3, in = 3 * LoraNorms.BLOCK_FLOATS + 5, out = LoraNorms.BLOCK_FLOATS / 2 + 3;
        String q = "model.layers.0.self_attn.q_proj";
        try (Arena arena = Arena.ofConfined()) {
            new TestAdapters(arena, 11).linear(q, rank, in, out).write(dir, TestAdapters.config(rank, 6), FileDType.BF16);
        }
        try (LoraAdapter adapter = LoraAdapter.open(dir); Arena whole = Arena.ofConfined();
             CountingArena scratch = new CountingArena()) {
            LoraModule m = adapter.module(q).orElseThrow();
            LoraNorms expected = LoraNorms.of(adapter.loadA(m, whole), adapter.loadB(m, whole), rank, in, out, 2);
            LoraNorms streamed = LoraNorms.of(adapter, m, scratch);
            assertEquals(expected.a(), streamed.a(), 1e-12 * expected.a());
            assertEquals(expected.b(), streamed.b(), 1e-12 * expected.b());
            assertEquals(expected.delta(), streamed.delta(), 1e-12 * expected.delta());
            assertTrue(scratch.allocatedBytes() <= 4L * LoraNorms.BLOCK_FLOATS, scratch.allocatedBytes() + " bytes allocated");
            assertTrue(scratch.allocatedBytes() * 3 <= 4L * rank * in, "less than A as fp32");
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
