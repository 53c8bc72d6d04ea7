package amalgam.engine.ops;

import amalgam.engine.DType;
import amalgam.engine.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Random;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * Every op that runs on a fused kernel (softmax, log-softmax, layer norm, RMS norm, RoPE, cross-entropy,
 * silu) equals its twin composed from primitive ops, in value and in gradient (F64).
 */
class FusedVersusComposedTest {

    private final Random random = new Random(17);

    /** Asserts equal outputs and equal input gradients (under the same random output weights). */
    private void assertTwins(Function<Tensor, Tensor> fused, Function<Tensor, Tensor> composed, int... shape) {
        double[] values = Tensor.randn(DType.F64, random, shape).mul(2).toDoubleArray();
        Tensor a = Tensor.of(DType.F64, values, shape).requiresGrad(true);
        Tensor b = Tensor.of(DType.F64, values, shape).requiresGrad(true);
        Tensor ya = fused.apply(a), yb = composed.apply(b);
        assertArrayEquals(yb.toDoubleArray(), ya.toDoubleArray(), 1e-12, "values");
        Tensor weights = Tensor.randn(DType.F64, random, ya.shape());
        ya.mul(weights).sum().backward();
        yb.mul(weights).sum().backward();
        assertArrayEquals(b.grad().toDoubleArray(), a.grad().toDoubleArray(), 1e-12, "gradients");
    }

    @Test
    void softmax() {
        assertTwins(x -> x.softmax(-1), x -> {
            Tensor e = x.sub(x.max(-1, true).detach()).exp();
            return e.div(e.sum(-1, true));
        }, 4, 7);
    }

    @Test
    void logSoftmax() {
        assertTwins(x -> x.logSoftmax(-1), x -> x.sub(x.exp().sum(-1, true).log()), 3, 2, 5);
    }

    @Test
    void layerNorm() {
        Tensor gamma = Tensor.randn(DType.F64, random, 6), beta = Tensor.randn(DType.F64, random, 6);
        // Exact twins need eps as a float: the kernel takes it as one.
        double eps = (float) 1e-5;
        assertTwins(x -> LayerNorm.layerNorm(x, gamma, beta, eps), x -> {
            Tensor centred = x.sub(x.mean(-1, true));
            return centred.div(centred.square().mean(-1, true).add(eps).sqrt()).mul(gamma).add(beta);
        }, 5, 6);
    }

    @Test
    void rmsNorm() {
        Tensor weight = Tensor.randn(DType.F64, random, 6);
        double eps = (float) 1e-6; // the kernel takes eps as a float
        assertTwins(x -> RmsNorm.rmsNorm(x, weight, eps), x -> RmsNorm.composedRmsNorm(x, weight, eps), 5, 6);
        assertTwins(x -> RmsNorm.rmsNorm(x, weight, eps), x -> RmsNorm.composedRmsNorm(x, weight, eps), 2, 3, 6);
        // And the weight's gradient, which assertTwins does not see.
        Tensor x = Tensor.randn(DType.F64, random, 4, 6), dy = Tensor.randn(DType.F64, random, 4, 6);
        double[] w = weight.toDoubleArray();
        Tensor wa = Tensor.of(DType.F64, w, 6).requiresGrad(true), wb = Tensor.of(DType.F64, w, 6).requiresGrad(true);
        RmsNorm.rmsNorm(x, wa, eps).mul(dy).sum().backward();
        RmsNorm.composedRmsNorm(x, wb, eps).mul(dy).sum().backward();
        assertArrayEquals(wb.grad().toDoubleArray(), wa.grad().toDoubleArray(), 1e-12, "weight gradients");
    }

    @Test
    void rope() {
        // Tables with unequal halves, so that the backward's swap of sin's halves is seen.
        Tensor cos = Tensor.randn(DType.F64, random, 5, 8), sin = Tensor.randn(DType.F64, random, 5, 8);
        assertTwins(x -> Rope.rotate(x, cos, sin), x -> Rope.composedRotate(x, cos, sin), 2, 3, 5, 8);
        assertTwins(x -> Rope.rotate(x.mT(), cos, sin), x -> Rope.composedRotate(x.mT(), cos, sin), 3, 8, 5);
    }

    @Test
    void silu() {
        assertTwins(Pointwise::silu, Pointwise::composedSilu, 3, 7);
    }

    @Test
    void crossEntropy() {
        int[] targets = {2, 0, 4};
        double[] hot = new double[15];
        for (int r = 0; r < 3; r++) hot[r * 5 + targets[r]] = 1;
        Tensor mask = Tensor.of(DType.F64, hot, 3, 5);
        assertTwins(x -> CrossEntropy.crossEntropy(x, targets),
                x -> x.logSoftmax(-1).mul(mask).sum().neg().div(3), 3, 5);
        assertTwins(x -> CrossEntropy.crossEntropy(x, targets, CrossEntropy.Reduction.SUM),
                x -> x.sub(x.exp().sum(-1, true).log()).mul(mask).sum().neg(), 3, 5);
    }
}
