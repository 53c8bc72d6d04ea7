package amalgam.engine.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SamplerTest {

    private static final float[] LOGITS = {1f, 3f, 3f, 2f, -1f};

    @Test
    void greedyTakesTheFirstMaximum() {
        assertEquals(1, Sampler.greedy().choose(LOGITS));
        assertEquals(1, Sampler.sampling(0, 1, 7).choose(LOGITS));
    }

    @Test
    void topPKeepsTheSmallestNucleusAndSeedsRepeat() {
        // p ∝ e^1, e^3, e^3, e^2, e^-1: the two e^3 tokens hold 0.39 each, so top-p 0.7 keeps tokens 1 and 2 only.
        Sampler nucleus = Sampler.sampling(1.0, 0.7, 11);
        int[] counts = new int[5];
        for (int i = 0; i < 2000; i++) counts[nucleus.choose(LOGITS)]++;
        assertEquals(2000, counts[1] + counts[2]);
        assertTrue(Math.abs(counts[1] - counts[2]) < 200, java.util.Arrays.toString(counts));

        Sampler all = Sampler.sampling(1.0, 1.0, 5), again = Sampler.sampling(1.0, 1.0, 5);
        int[] seen = new int[5];
        for (int i = 0; i < 4000; i++) {
            int t = all.choose(LOGITS);
            assertEquals(t, again.choose(LOGITS), "same seed, same draws");
            seen[t]++;
        }
        double z = Math.exp(1) + 2 * Math.exp(3) + Math.exp(2) + Math.exp(-1);
        assertEquals(Math.exp(2) / z, seen[3] / 4000.0, 0.03);
        // A low temperature sharpens towards the maxima.
        Sampler cold = Sampler.sampling(0.05, 1.0, 3);
        for (int i = 0; i < 100; i++) {
            int t = cold.choose(LOGITS);
            assertTrue(t == 1 || t == 2, "token " + t);
        }
        assertThrows(IllegalArgumentException.class, () -> Sampler.sampling(1, 0, 1));
    }
}
