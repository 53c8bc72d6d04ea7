package amalgam.engine.models;

import java.util.Arrays;
import java.util.Random;

/** Picks the next token from one row of logits. */
public interface Sampler {

    int choose(float[] logits);

    /** The most likely token; ties go to the lowest id, as torch.argmax does. */
    static Sampler greedy() {
        return logits -> {
            int best = 0;
            for (int i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
            return best;
        };
    }

    /**
     * A draw from softmax(logits / temperature) restricted to the smallest set of most likely tokens whose
     * probability reaches {@code topP} (nucleus sampling; topP = 1 keeps all), from a generator seeded with
     * {@code seed} so a run repeats. Temperature 0 is greedy.
     */
    static Sampler sampling(double temperature, double topP, long seed) {
        if (!(temperature >= 0) || !(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("temperature must be ≥ 0 and top-p in (0, 1], got " + temperature
                    + " and " + topP);
        }
        if (temperature == 0) return greedy();
        Random random = new Random(seed);
        return logits -> {
            int n = logits.length;
            double max = Double.NEGATIVE_INFINITY;
            for (float l : logits) max = Math.max(max, l);
            double[] p = new double[n];
            double total = 0;
            for (int i = 0; i < n; i++) total += p[i] = Math.exp((logits[i] - max) / temperature);
            if (topP == 1) return draw(p, total, random);
            Integer[] order = new Integer[n];
            for (int i = 0; i < n; i++) order[i] = i;
            Arrays.sort(order, (a, b) -> Double.compare(p[b], p[a]));
            int kept = 0;
            double mass = 0;
            while (kept < n && (kept == 0 || mass < topP * total)) mass += p[order[kept++]];
            double u = random.nextDouble() * mass;
            for (int k = 0; k < kept; k++) {
                u -= p[order[k]];
                if (u < 0) return order[k];
            }
            return order[kept - 1];
        };
    }

    private static int draw(double[] p, double total, Random random) {
        double u = random.nextDouble() * total;
        for (int i = 0; i < p.length; i++) {
            u -= p[i];
            if (u < 0) return i;
        }
        return p.length - 1;
    }
}
