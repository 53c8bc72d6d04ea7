package amalgam.engine;

import amalgam.kernels.Precision;

import java.util.Arrays;
import java.util.Random;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Central finite-difference gradient check in double, with PyTorch gradcheck's tolerances: every analytic
 * gradient element must satisfy |analytic − numeric| ≤ atol + rtol·|numeric|.
 *
 * <p>A non-scalar output y is checked through L = Σ r ⊙ y for a fixed random r, so every output element's
 * row of the Jacobian contributes with a distinct weight. Inputs must be contiguous F64 leaves; those with
 * requiresGrad are checked, the others are constants.
 */
public final class GradCheck {

    public static final double EPS = 1e-6, ATOL = 1e-5, RTOL = 1e-3;

    private GradCheck() {}

    public static void check(String name, Function<Tensor[], Tensor> f, Tensor... inputs) {
        checkSampled(name, f, Integer.MAX_VALUE, new Random(0), inputs);
    }

    /**
     * As {@link #check}, but compares at most {@code samples} randomly chosen elements of each input, for
     * models whose full numeric gradient would take too many forward passes.
     */
    public static void checkSampled(String name, Function<Tensor[], Tensor> f, int samples, Random random,
                                    Tensor... inputs) {
        for (Tensor in : inputs) {
            if (in.dtype() != DType.F64 || !in.isContiguous() || in.gradFn() != null) {
                throw new IllegalArgumentException("gradcheck inputs must be contiguous F64 leaves");
            }
            in.clearGrad();
        }
        int[] shape;
        try (NoGrad ignored = Engine.noGrad(); Step step = Engine.step()) {
            shape = f.apply(inputs).shape().clone();
        }
        Tensor r = Tensor.randn(DType.F64, new Random(Arrays.hashCode(shape)), shape); // outside any step
        double[] analytic;
        try (Step step = Engine.step()) {
            f.apply(inputs).mul(r).sum().backward();
        }
        Precision p = Precision.F64;
        for (int i = 0; i < inputs.length; i++) {
            Tensor x = inputs[i];
            if (!x.requiresGrad()) continue;
            analytic = x.grad() == null ? new double[(int) x.numel()] : x.grad().toDoubleArray();
            int n = (int) x.numel();
            for (int s = 0; s < Math.min(n, samples); s++) {
                int j = samples >= n ? s : random.nextInt(n);
                long at = x.offset() + j;
                double original = p.get(x.data(), at);
                p.set(x.data(), at, original + EPS);
                double plus = loss(f, inputs, r);
                p.set(x.data(), at, original - EPS);
                double minus = loss(f, inputs, r);
                p.set(x.data(), at, original);
                double numeric = (plus - minus) / (2 * EPS);
                if (!(Math.abs(analytic[j] - numeric) <= ATOL + RTOL * Math.abs(numeric))) {
                    fail(name + ": d/d input " + i + " " + Arrays.toString(x.shape()) + " element " + j
                            + ": analytic " + analytic[j] + " vs numeric " + numeric);
                }
            }
        }
    }

    private static double loss(Function<Tensor[], Tensor> f, Tensor[] inputs, Tensor r) {
        try (NoGrad ignored = Engine.noGrad(); Step step = Engine.step()) {
            return f.apply(inputs).mul(r).sum().item();
        }
    }

    /** A random F64 leaf that requires grad, values in [−1, 1). */
    public static Tensor variable(Random random, int... shape) {
        return Tensor.rand(DType.F64, random, -1, 1, shape).requiresGrad(true);
    }
}
