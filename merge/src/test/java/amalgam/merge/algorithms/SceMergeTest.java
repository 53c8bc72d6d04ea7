package amalgam.merge.algorithms;

import static amalgam.merge.algorithms.Fixtures.CTX;
import static amalgam.merge.algorithms.Fixtures.assertClose;
import static amalgam.merge.algorithms.Fixtures.mergeExample;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * SCE on the hand-checked pair of docs/merging.md (the values mergekit's sce gives, run once with torch), and on
 * random tensors against a double reference written from the method's three steps.
 */
class SceMergeTest {

    private static TensorMerge sce(double density) {
        return MergeMethod.SCE.tensorMerge(CTX, MergeSettings.defaults().withDensity(density));
    }

    @Test
    void keepingEverythingWeighsByEnergyAndAveragesTheAgreeing() {
        // mean squares 8.92/6 and 6.97/6, so w = (8.92, 6.97) / 15.89; entries 2 and 5 have two agreeing values.
        double w1 = 8.92 / 15.89, w2 = 6.97 / 15.89;
        assertClose(new float[] {0.5f, -1.3f, (float) (2.0 * w1 + 1.0 * w2), -0.3f, -2.0f, (float) (-1.5 * w1 - 0.6 * w2)},
                mergeExample(sce(1), 1, 1), 1e-6);
    }

    @Test
    void halfTheDensityKeepsTheEntriesThatVaryMost() {
        // Variances ((a−b)/2)²: 0.2025, 1.5625, 0.25, 0.04, 1.96, 0.2025, so entries 4, 1 and 2 stay; the weights
        // come from what stays: (1.69 + 4 + 0.64) and (1.44 + 1 + 4).
        double w1 = 6.33 / 12.77, w2 = 6.44 / 12.77;
        assertClose(new float[] {0, -1.3f, (float) (2.0 * w1 + 1.0 * w2), 0, -2.0f, 0},
                mergeExample(sce(0.5), 1, 1), 1e-6);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 33, 257})
    void randomTensorsMatchTheReference(int cols) {
        Random random = new Random(cols);
        int rows = 3, n = rows * cols;
        List<float[]> tensors = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
            float[] v = Fixtures.random(random, n);
            for (int i = 0; i < n; i += 3) v[i] = (random.nextInt(3) - 1) / 2f; // ties and equal entries
            tensors.add(v);
        }
        for (double density : new double[] {0, 0.3, 0.5, 1}) {
            float[] actual = Fixtures.merge(sce(density), n, tensors, new double[] {1, 1, 1});
            assertClose(reference(tensors, density), actual, 1e-5);
        }
    }

    /** The three steps in double, straight from their definition. */
    private static float[] reference(List<float[]> tensors, double density) {
        int n = tensors.getFirst().length, count = tensors.size();
        double[][] p = new double[count][n];
        for (int t = 0; t < count; t++) for (int e = 0; e < n; e++) p[t][e] = tensors.get(t)[e];
        if (density < 1) {
            double[] variance = new double[n];
            for (int e = 0; e < n; e++) {
                double mean = 0, squares = 0;
                for (double[] row : p) mean += row[e] / count;
                for (double[] row : p) squares += (row[e] - mean) * (row[e] - mean);
                variance[e] = (float) (squares / count);
            }
            long varying = IntStream.range(0, n).filter(e -> variance[e] != 0).count();
            int keep = (int) Math.floor(density * varying);
            List<Integer> order = IntStream.range(0, n).boxed()
                    .sorted(Comparator.<Integer>comparingDouble(e -> -variance[e]).thenComparingInt(e -> e)).toList();
            boolean[] kept = new boolean[n];
            for (int i = 0; i < keep; i++) kept[order.get(i)] = true;
            for (double[] row : p) for (int e = 0; e < n; e++) if (!kept[e]) row[e] = 0;
        }
        double[] w = new double[count];
        double total = 0;
        for (int t = 0; t < count; t++) {
            for (int e = 0; e < n; e++) w[t] += p[t][e] * p[t][e] / n;
            total += w[t];
        }
        for (int t = 0; t < count; t++) w[t] = total == 0 ? 1.0 / count : w[t] / total;
        float[] out = new float[n];
        for (int e = 0; e < n; e++) {
            double vote = 0;
            for (double[] row : p) vote += row[e];
            double sign = vote >= 0 ? 1 : -1, sum = 0, weight = 0;
            for (int t = 0; t < count; t++) {
                if (Math.signum(p[t][e]) == sign) {
                    sum += w[t] * p[t][e];
                    weight += w[t];
                }
            }
            out[e] = weight == 0 ? 0 : (float) (sum / weight);
        }
        return out;
    }
}
