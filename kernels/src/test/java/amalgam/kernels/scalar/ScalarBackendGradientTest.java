package amalgam.kernels.scalar;

import amalgam.kernels.Precision;
import amalgam.kernels.UnaryOp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The backward kernels of the reference against central finite differences, in double: the loss is
 * L = Σ w ⊙ f(x) with fixed random weights w, so dL/dx is the backward of f applied to dy = w.
 */
class ScalarBackendGradientTest {

    private static final Precision P = Precision.F64;
    private static final double H = 1e-6;
    private static final double TOLERANCE = 1e-7;

    private final Arena arena = Arena.ofConfined();
    private final ScalarBackend backend = new ScalarBackend(P);
    private final Random random = new Random(42);

    @AfterEach
    void close() {
        arena.close();
    }

    private MemorySegment randomSegment(int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = random.nextGaussian();
        return P.of(arena, v);
    }

    private static double weightedSum(MemorySegment w, MemorySegment y, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) s += P.get(w, i) * P.get(y, i);
        return s;
    }

    /** Central difference of L = Σ w ⊙ forward(input) with respect to input[i], for every i. */
    private static double[] numericGradient(MemorySegment input, int inputLength, MemorySegment w,
                                            MemorySegment y, int outputLength, Consumer<Void> forward) {
        double[] grad = new double[inputLength];
        for (int i = 0; i < inputLength; i++) {
            double saved = P.get(input, i);
            P.set(input, i, saved + H);
            forward.accept(null);
            double plus = weightedSum(w, y, outputLength);
            P.set(input, i, saved - H);
            forward.accept(null);
            double minus = weightedSum(w, y, outputLength);
            P.set(input, i, saved);
            grad[i] = (plus - minus) / (2 * H);
        }
        return grad;
    }

    private static void assertGradient(double[] expected, MemorySegment actual) {
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], P.get(actual, i), TOLERANCE * Math.max(1, Math.abs(expected[i])), "element " + i);
        }
    }

    @Test
    void softmaxBackwardMatchesFiniteDifferences() {
        int rows = 3, cols = 5, n = rows * cols;
        MemorySegment x = randomSegment(n), w = randomSegment(n), y = P.allocate(arena, n), dx = P.allocate(arena, n);
        Consumer<Void> forward = unused -> backend.softmaxRows(rows, cols, x, 0, y, 0);
        double[] numeric = numericGradient(x, n, w, y, n, forward);
        forward.accept(null);
        backend.softmaxBackwardRows(rows, cols, y, 0, w, 0, dx, 0);
        assertGradient(numeric, dx);
    }

    @Test
    void logSoftmaxBackwardMatchesFiniteDifferences() {
        int rows = 2, cols = 7, n = rows * cols;
        MemorySegment x = randomSegment(n), w = randomSegment(n), y = P.allocate(arena, n), dx = P.allocate(arena, n);
        Consumer<Void> forward = unused -> backend.logSoftmaxRows(rows, cols, x, 0, y, 0);
        double[] numeric = numericGradient(x, n, w, y, n, forward);
        forward.accept(null);
        backend.logSoftmaxBackwardRows(rows, cols, y, 0, w, 0, dx, 0);
        assertGradient(numeric, dx);
    }

    @Test
    void layerNormBackwardMatchesFiniteDifferencesForInputGammaAndBeta() {
        int rows = 3, cols = 6, n = rows * cols;
        float eps = 1e-5f;
        MemorySegment x = randomSegment(n), w = randomSegment(n), y = P.allocate(arena, n);
        MemorySegment gamma = randomSegment(cols), beta = randomSegment(cols);
        MemorySegment mean = P.allocate(arena, rows), rstd = P.allocate(arena, rows);
        Consumer<Void> forward = unused -> backend.layerNormRows(rows, cols, eps, x, 0, gamma, beta, y, 0, mean, rstd);
        double[] numericX = numericGradient(x, n, w, y, n, forward);
        double[] numericGamma = numericGradient(gamma, cols, w, y, n, forward);
        double[] numericBeta = numericGradient(beta, cols, w, y, n, forward);

        forward.accept(null);
        MemorySegment dx = P.allocate(arena, n);
        // dgamma and dbeta start at 1: the kernel must add to them, not overwrite.
        MemorySegment dgamma = P.allocate(arena, cols), dbeta = P.allocate(arena, cols);
        backend.fill(cols, 1f, dgamma, 0);
        backend.fill(cols, 1f, dbeta, 0);
        backend.layerNormBackwardRows(rows, cols, x, 0, mean, rstd, gamma, w, 0, dx, 0, dgamma, dbeta);
        assertGradient(numericX, dx);
        for (int j = 0; j < cols; j++) {
            numericGamma[j] += 1;
            numericBeta[j] += 1;
        }
        assertGradient(numericGamma, dgamma);
        assertGradient(numericBeta, dbeta);
    }

    @Test
    void rmsNormBackwardMatchesFiniteDifferencesForInputAndWeight() {
        int rows = 3, cols = 6, n = rows * cols;
        float eps = 1e-6f;
        MemorySegment x = randomSegment(n), w = randomSegment(n), y = P.allocate(arena, n);
        MemorySegment weight = randomSegment(cols), rstd = P.allocate(arena, rows);
        Consumer<Void> forward = unused -> backend.rmsNormRows(rows, cols, eps, x, 0, weight, y, 0, rstd);
        double[] numericX = numericGradient(x, n, w, y, n, forward);
        double[] numericWeight = numericGradient(weight, cols, w, y, n, forward);

        forward.accept(null);
        MemorySegment dx = P.allocate(arena, n);
        // dweight starts at 1: the kernel must add to it, not overwrite.
        MemorySegment dweight = P.allocate(arena, cols);
        backend.fill(cols, 1f, dweight, 0);
        backend.rmsNormBackwardRows(rows, cols, x, 0, rstd, weight, w, 0, dx, 0, dweight);
        assertGradient(numericX, dx);
        for (int j = 0; j < cols; j++) numericWeight[j] += 1;
        assertGradient(numericWeight, dweight);
    }

    @Test
    void activationDerivativesMatchFiniteDifferences() {
        checkDerivative(UnaryOp.GELU_ERF, UnaryOp.GELU_ERF_DERIVATIVE);
        checkDerivative(UnaryOp.GELU_TANH, UnaryOp.GELU_TANH_DERIVATIVE);
        checkDerivative(UnaryOp.SILU, UnaryOp.SILU_DERIVATIVE);
    }

    private void checkDerivative(UnaryOp f, UnaryOp derivative) {
        for (double x = -5; x <= 5; x += 0.37) {
            double numeric = (f.apply(x + H) - f.apply(x - H)) / (2 * H);
            assertEquals(numeric, derivative.apply(x), TOLERANCE, f + "' at " + x);
        }
    }
}
