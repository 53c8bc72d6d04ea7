package amalgam.merge.adaptive;

import amalgam.engine.DType;
import amalgam.engine.Engine;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The activations and scales give the weights their formulas promise. */
class CoefficientsTest {

    private static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    @Test
    void learnedScaleStartsHalfwayToBMax() {
        Coefficients c = new Coefficients(CoefficientSettings.sigmoid(5), 2, 4, DType.F64);
        SyntheticAdapters.set(c.raw(), new double[] {1.0, -2.0});
        SyntheticAdapters.set(c.beta(), new double[] {0.7});
        double b = 1 + 4 * sigmoid(0.7);
        double[][] w = c.values();
        assertEquals(sigmoid(1.0) * b, w[0][0], 1e-12);
        assertEquals(sigmoid(-2.0) * b, w[1][0], 1e-12);
        assertEquals(2, c.trainable().size());
    }

    @Test
    void fixedScaleIsTheFormulaAsPrinted() {
        Coefficients c = new Coefficients(new CoefficientSettings(CoefficientActivation.SIGMOID, Granularity.ADAPTER,
                3, false, false), 1, 4, DType.F64);
        assertEquals(0.5 * (1 + 2 * sigmoid(3)), c.values()[0][0], 1e-12);
        assertEquals(1, c.trainable().size()); // β is not trained
    }

    @Test
    void softmaxWeightsShareTheScale() {
        Coefficients c = new Coefficients(new CoefficientSettings(CoefficientActivation.SOFTMAX, Granularity.MODULE,
                1, true, false), 3, 2, DType.F64);
        SyntheticAdapters.set(c.raw(), new double[] {0.1, 2, -1, 0, 0.5, 1});
        double[][] w = c.values();
        for (int g = 0; g < 2; g++) assertEquals(1.0, w[0][g] + w[1][g] + w[2][g], 1e-12); // b = 1 when b_max = 1
    }

    @Test
    void tanhAllowsNegativeWeightsAndNoneIsClampedToTheUnitInterval() {
        Coefficients tanh = new Coefficients(new CoefficientSettings(CoefficientActivation.TANH, Granularity.ADAPTER,
                1, true, false), 1, 1, DType.F64);
        SyntheticAdapters.set(tanh.raw(), new double[] {-0.5});
        assertEquals(Math.tanh(-0.5), tanh.values()[0][0], 1e-12);

        Coefficients none = new Coefficients(new CoefficientSettings(CoefficientActivation.NONE, Granularity.ADAPTER,
                1, false, true), 3, 1, DType.F64);
        assertEquals(0.3, none.values()[0][0], 0); // AdaMerging's prior
        SyntheticAdapters.set(none.raw(), new double[] {-0.2, 0.4, 1.7});
        none.clampIfAsked();
        assertEquals(0.0, none.values()[0][0], 0);
        assertEquals(0.4, none.values()[1][0], 1e-15);
        assertEquals(1.0, none.values()[2][0], 0);
    }

    @Test
    void leakyReluStartsAtZeroAndItsGradientThereIsTheSlope() {
        Coefficients leaky = new Coefficients(new CoefficientSettings(CoefficientActivation.LEAKY_RELU,
                Granularity.ADAPTER, 1, false, false), 2, 1, DType.F64);
        assertEquals(0.0, leaky.values()[0][0], 0); // every adapter off at the start
        try (var _ = Engine.step()) {
            // dα/dc at c = 0 must not vanish, or the coefficients could never leave their start.
            leaky.weights().sum().backward();
            assertArrayEquals(new double[] {0.01, 0.01}, leaky.raw().grad().toDoubleArray(), 1e-15);
        }
        SyntheticAdapters.set(leaky.raw(), new double[] {-2, 0.7});
        assertEquals(-0.02, leaky.values()[0][0], 1e-15);
        assertEquals(0.7, leaky.values()[1][0], 1e-15);
    }

    @Test
    void bMaxBelowOneIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> CoefficientSettings.sigmoid(0.5));
    }
}
