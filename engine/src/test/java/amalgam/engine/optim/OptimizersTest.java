package amalgam.engine.optim;

import amalgam.engine.DType;
import amalgam.engine.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Each optimiser against PyTorch's update rules written out on plain arrays. The loss Σ c⊙p + ½‖p‖² has
 * gradient c + p, so the gradient changes from step to step as it would in training.
 */
class OptimizersTest {

    private static final double[] START = {0.5, -1.5, 2.0, 0.0};
    private static final double[] C = {1.0, -0.25, 0.5, 3.0};
    // Scalars (lr, betas) reach the kernels as float even in F64, so agreement is to ~1e-7, not 1e-15.
    private static final double TOL = 1e-6;

    private static Tensor parameter() {
        return Tensor.of(DType.F64, START.clone(), START.length).requiresGrad(true);
    }

    private static void backward(Tensor p) {
        Tensor c = Tensor.of(DType.F64, C, C.length);
        p.mul(c).sum().add(p.square().sum().mul(0.5)).backward();
    }

    private static double[] gradient(double[] p) {
        double[] g = new double[p.length];
        for (int i = 0; i < p.length; i++) g[i] = C[i] + p[i];
        return g;
    }

    private static void run(Optimizer optimizer, Tensor p, int steps) {
        for (int s = 0; s < steps; s++) {
            optimizer.zeroGrad();
            backward(p);
            optimizer.step();
        }
    }

    @Test
    void sgdWithMomentumNesterovAndWeightDecay() {
        for (boolean nesterov : new boolean[] {false, true}) {
            double lr = 0.1, mu = 0.9, dampening = nesterov ? 0 : 0.1, wd = 0.01;
            Tensor p = parameter();
            run(new SGD(List.of(p), lr, mu, dampening, wd, nesterov), p, 5);
            double[] x = START.clone(), buf = new double[x.length];
            for (int s = 1; s <= 5; s++) {
                double[] g = gradient(x);
                for (int i = 0; i < x.length; i++) {
                    g[i] += wd * x[i];
                    buf[i] = s == 1 ? g[i] : mu * buf[i] + (1 - dampening) * g[i];
                    x[i] -= lr * (nesterov ? g[i] + mu * buf[i] : buf[i]);
                }
            }
            assertArrayEquals(x, p.toDoubleArray(), TOL, "nesterov " + nesterov);
        }
    }

    @Test
    void adamAndAdamW() {
        for (boolean decoupled : new boolean[] {false, true}) {
            double lr = 0.05, b1 = 0.8, b2 = 0.95, eps = 1e-6, wd = 0.1;
            Tensor p = parameter();
            Optimizer opt = decoupled ? new AdamW(List.of(p), lr, b1, b2, eps, wd) : Adam.adam(List.of(p), lr, b1, b2, eps, wd);
            run(opt, p, 6);
            double[] x = START.clone(), m = new double[x.length], v = new double[x.length];
            for (int s = 1; s <= 6; s++) {
                double[] g = gradient(x);
                for (int i = 0; i < x.length; i++) {
                    if (decoupled) x[i] *= 1 - lr * wd;
                    else g[i] += wd * x[i];
                    m[i] = b1 * m[i] + (1 - b1) * g[i];
                    v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
                    double denom = Math.sqrt(v[i]) / Math.sqrt(1 - Math.pow(b2, s)) + eps;
                    x[i] -= lr / (1 - Math.pow(b1, s)) * m[i] / denom;
                }
            }
            assertArrayEquals(x, p.toDoubleArray(), TOL, decoupled ? "AdamW" : "Adam");
        }
    }

    @Test
    void clippingScalesTheGlobalNorm() {
        Tensor a = parameter(), b = Tensor.of(DType.F64, new double[] {1, 1}, 2).requiresGrad(true);
        backward(a);
        b.mul(Tensor.of(DType.F64, new double[] {3, 4}, 2)).sum().backward();
        double[] ga = gradient(START);
        double squares = 9 + 16;
        for (double g : ga) squares += g * g;
        double norm = GradientClipping.clipGradNorm(List.of(a, b), 1.0);
        assertEquals(Math.sqrt(squares), norm, 1e-12);
        double after = Math.sqrt(a.grad().square().sum().item() + b.grad().square().sum().item());
        assertEquals(1.0, after, 1e-6);
        assertEquals(norm, GradientClipping.clipGradNorm(List.of(a, b), 1e9) * norm, 1e-5 * norm, "unclipped below max");
    }

    @Test
    void cosineScheduleWarmsUpThenDecaysToZero() {
        CosineSchedule schedule = new CosineSchedule(1.0, 4, 14);
        assertEquals(0.25, schedule.at(0), 1e-12);
        assertEquals(1.0, schedule.at(3), 1e-12);
        assertEquals(1.0, schedule.at(4), 1e-12);
        assertEquals(0.5, schedule.at(9), 1e-12);
        assertEquals(0.0, schedule.at(14), 1e-12);
        Tensor p = parameter();
        SGD sgd = new SGD(List.of(p), 0.1, 0);
        schedule.apply(sgd, 9);
        assertEquals(0.5, sgd.learningRate(), 1e-12);
    }
}
