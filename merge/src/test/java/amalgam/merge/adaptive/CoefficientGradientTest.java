package amalgam.merge.adaptive;

import amalgam.merge.algorithms.MergeMethod;
import amalgam.engine.DType;
import amalgam.engine.Engine;
import amalgam.engine.Tensor;
import amalgam.engine.nn.TinyViT;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** dL/dc and dL/dβ through the merge and TinyViT's forward equal central finite differences, in double. */
class CoefficientGradientTest {

    private static final double H = 1e-6;

    @ParameterizedTest
    @CsvSource({
            "task_arithmetic, sigmoid, ADAPTER, true",
            "ties, sigmoid, MODULE, true",
            "dare_ties, sigmoid, ADAPTER, true",
            "ties, sigmoid, ADAPTER, false",
            "task_arithmetic, softmax, ADAPTER, true",
            "task_arithmetic, tanh, ADAPTER, true",
            "ties, none, ADAPTER, false",
            "ties, leaky_relu, MODULE, false"})
    void analyticGradientMatchesFiniteDifferences(String kind, String activation, Granularity granularity,
                                                  boolean learnScale) {
        TinyViT base = SyntheticAdapters.base(DType.F64, 11);
        List<Map<String, Tensor>> adapters = SyntheticAdapters.adapters(base, 3, 0.1, 12);
        AdaptiveMerge merge = new AdaptiveMerge(base, TinyViT.ATTENTION_PROJECTIONS, adapters,
                MergeMethod.learnableFromName(kind), 0.5, 5);
        Coefficients coefficients = new Coefficients(new CoefficientSettings(CoefficientActivation.parse(activation),
                granularity, 3, learnScale, false), 3, TinyViT.ATTENTION_PROJECTIONS.size(), DType.F64);
        Random random = new Random(13);
        double[] c = new double[(int) coefficients.raw().numel()];
        for (int i = 0; i < c.length; i++) c[i] = random.nextGaussian();
        SyntheticAdapters.set(coefficients.raw(), c);
        SyntheticAdapters.set(coefficients.beta(), new double[] {0.4});
        Tensor images = SyntheticAdapters.images(DType.F64, 2, 14);
        int[] labels = {2, 7};
        assertGradientMatchesFiniteDifferences(merge, coefficients,
                new LabelledImages(base::forward, images, labels, Objective.crossEntropy()));
    }

    /** dL/dc and dL/dβ from the backward pass equal central differences of the graph-free loss. */
    static void assertGradientMatchesFiniteDifferences(AdaptiveMerge merge, Coefficients coefficients, Buffer buffer) {
        Granularity granularity = coefficients.settings().granularity();
        try (var _ = Engine.step()) {
            merge.loss(coefficients.weights(), granularity, buffer).backward();
        }
        for (Tensor leaf : coefficients.trainable()) {
            double[] analytic = leaf.grad().toDoubleArray();
            double largest = 0;
            for (double g : analytic) largest = Math.max(largest, Math.abs(g));
            assertTrue(largest > 1e-6, "the loss barely depends on the coefficients (largest |dL/dc| " + largest
                    + "): the check would pass vacuously");
            double[] values = leaf.toDoubleArray();
            for (int i = 0; i < values.length; i++) {
                double[] plus = values.clone(), minus = values.clone();
                plus[i] += H;
                minus[i] -= H;
                SyntheticAdapters.set(leaf, plus);
                double up = CoefficientTraining.loss(merge, coefficients, buffer);
                SyntheticAdapters.set(leaf, minus);
                double down = CoefficientTraining.loss(merge, coefficients, buffer);
                SyntheticAdapters.set(leaf, values);
                double numeric = (up - down) / (2 * H);
                assertEquals(numeric, analytic[i], 1e-7 + 1e-5 * Math.abs(numeric), "entry " + i);
            }
        }
    }
}
