package amalgam.engine.ops;

import amalgam.engine.DType;
import amalgam.engine.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static amalgam.engine.GradCheck.check;
import static amalgam.engine.GradCheck.variable;

/** Finite-difference gradient checks (F64, reference backend) for every differentiable op. */
class GradientCheckTest {

    private final Random random = new Random(42);

    /** Pairs of shapes that broadcast against each other in every way that matters. */
    private static final int[][][] BROADCAST_PAIRS = {
            {{3, 4}, {3, 4}},
            {{2, 3, 4}, {4}},
            {{3, 1}, {1, 4}},
            {{2, 1, 4}, {3, 1}},
            {{1}, {2, 3}},
            {{5}, {}},
    };

    private int[] randomShape() {
        int rank = 1 + random.nextInt(3);
        int[] shape = new int[rank];
        for (int i = 0; i < rank; i++) shape[i] = 1 + random.nextInt(4);
        return shape;
    }

    @Test
    void broadcastingArithmetic() {
        for (int[][] pair : BROADCAST_PAIRS) {
            Tensor a = variable(random, pair[0]), b = variable(random, pair[1]);
            check("add", in -> in[0].add(in[1]), a, b);
            check("sub", in -> in[0].sub(in[1]), a, b);
            check("mul", in -> in[0].mul(in[1]), a, b);
            Tensor positive = Tensor.rand(DType.F64, random, 0.5, 2, pair[1]).requiresGrad(true);
            check("div", in -> in[0].div(in[1]), a, positive);
            check("div reversed", in -> in[1].div(in[0]), positive, b.sub(3).detach().requiresGrad(true));
        }
    }

    @Test
    void scalarOpsAndNeg() {
        for (int trial = 0; trial < 3; trial++) {
            Tensor x = variable(random, randomShape());
            check("neg", in -> in[0].neg(), x);
            check("scalar ops", in -> in[0].mul(2.5).add(1.25).sub(0.5).div(3), x);
        }
    }

    @Test
    void pointwise() {
        for (int trial = 0; trial < 3; trial++) {
            int[] shape = randomShape();
            Tensor x = variable(random, shape);
            Tensor positive = Tensor.rand(DType.F64, random, 0.2, 3, shape).requiresGrad(true);
            check("exp", in -> in[0].exp(), x);
            check("log", in -> in[0].log(), positive);
            check("sqrt", in -> in[0].sqrt(), positive);
            check("square", in -> in[0].square(), x);
            check("tanh", in -> in[0].tanh(), x);
            check("sigmoid", in -> in[0].sigmoid(), x);
            check("gelu", in -> in[0].gelu(), x.mul(3).detach().requiresGrad(true));
            check("gelu tanh", in -> in[0].geluTanh(), x.mul(3).detach().requiresGrad(true));
        }
    }

    @Test
    void reluAwayFromTheKink() {
        // Values within eps of 0 make the finite difference straddle the kink; keep |x| ≥ 0.1.
        double[] v = new double[24];
        for (int i = 0; i < v.length; i++) v[i] = (0.1 + random.nextDouble()) * (random.nextBoolean() ? 1 : -1);
        check("relu", in -> in[0].relu(), Tensor.of(DType.F64, v, 2, 3, 4).requiresGrad(true));
    }

    @Test
    void matmul2dAndBatchedWithBroadcasting() {
        int[][][] cases = {
                {{3, 4}, {4, 5}},
                {{1, 7}, {7, 1}},
                {{2, 3, 4}, {4, 5}},       // batch of rows times one matrix: one stacked GEMM
                {{4, 5}, {2, 5, 3}},       // one matrix times a batch
                {{2, 3, 4}, {2, 4, 2}},
                {{2, 1, 3, 4}, {3, 4, 2}}, // batch axes broadcast both ways
        };
        for (int[][] c : cases) {
            check("matmul " + java.util.Arrays.deepToString(c), in -> in[0].matmul(in[1]),
                    variable(random, c[0]), variable(random, c[1]));
        }
    }

    @Test
    void matmulOfTransposedViews() {
        Tensor a = variable(random, 4, 3), b = variable(random, 5, 4);
        check("aᵀ·bᵀ", in -> in[0].mT().matmul(in[1].mT()), a, b);
        Tensor x = variable(random, 2, 3, 4), w = variable(random, 5, 4);
        check("x·wᵀ", in -> in[0].matmul(in[1].mT()), x, w);
        Tensor q = variable(random, 2, 3, 4), k = variable(random, 2, 5, 4);
        check("q·kᵀ batched", in -> in[0].matmul(in[1].transpose(1, 2)), q, k);
        check("permuted batch", in -> in[0].permute(1, 0, 2).matmul(in[1].mT()), variable(random, 3, 2, 4), w);
    }

    @Test
    void softmaxAndLogSoftmax() {
        for (int axis : new int[] {-1, 0, 1}) {
            Tensor x = variable(random, 3, 4, 5);
            check("softmax axis " + axis, in -> in[0].softmax(axis), x);
            check("log-softmax axis " + axis, in -> in[0].logSoftmax(axis), x);
        }
    }

    @Test
    void crossEntropyMeanAndSum() {
        Tensor logits = variable(random, 6, 5);
        int[] targets = {0, 4, 2, 2, 1, 3};
        check("cross-entropy mean", in -> CrossEntropy.crossEntropy(in[0], targets), logits);
        check("cross-entropy sum",
                in -> CrossEntropy.crossEntropy(in[0], targets, CrossEntropy.Reduction.SUM).mul(0.5), logits);
        int[] someIgnored = {0, CrossEntropy.IGNORE, 2, CrossEntropy.IGNORE, 1, 3};
        check("cross-entropy mean, rows ignored", in -> CrossEntropy.crossEntropy(in[0], someIgnored), logits);
        check("cross-entropy sum, rows ignored",
                in -> CrossEntropy.crossEntropy(in[0], someIgnored, CrossEntropy.Reduction.SUM), logits);
        check("cross-entropy of a transposed view",
                in -> CrossEntropy.crossEntropy(in[0].mT(), targets), variable(random, 5, 6));
    }

    @Test
    void reductions() {
        Tensor x = variable(random, 2, 3, 4);
        check("sum all", in -> in[0].sum(), x);
        check("mean all", in -> in[0].mean(), x);
        for (boolean keep : new boolean[] {true, false}) {
            for (int axis = 0; axis < 3; axis++) {
                int a = axis;
                check("sum axis " + a, in -> in[0].sum(a, keep), x);
                check("mean axis " + a, in -> in[0].mean(a, keep), x);
                check("max axis " + a, in -> in[0].max(a, keep), x);
            }
            check("sum axes 0,2", in -> in[0].sum(new int[] {0, 2}, keep), x);
            check("mean axes 1,2", in -> in[0].mean(new int[] {1, 2}, keep), x);
        }
        check("expand", in -> in[0].expand(2, 3, 4), variable(random, 3, 1));
        check("sumTo", in -> in[0].sumTo(3, 1), x);
    }

    @Test
    void views() {
        Tensor x = variable(random, 2, 3, 4);
        check("reshape", in -> in[0].reshape(4, -1).mul(in[0].reshape(4, 6)), x);
        check("reshape of a transposed view", in -> in[0].transpose(0, 2).reshape(-1, 2), x);
        check("permute", in -> in[0].permute(2, 0, 1), x);
        check("transpose", in -> in[0].transpose(0, 1), x);
        check("slice", in -> in[0].slice(1, 1, 3), x);
        check("slice of a slice", in -> in[0].slice(2, 1, 4).slice(0, 1, 2), x);
        check("contiguous", in -> in[0].permute(1, 2, 0).contiguous(), x);
    }

    @Test
    void concatAndIndexing() {
        Tensor a = variable(random, 2, 3, 4), b = variable(random, 2, 1, 4), c = variable(random, 2, 2, 4);
        check("concat axis 1", in -> Joins.concat(1, in[0], in[1], in[2]), a, b, c);
        check("concat axis 0", in -> Joins.concat(0, in[0], in[1]), variable(random, 2, 3), variable(random, 1, 3));
        check("concat last axis", in -> Joins.concat(-1, in[0], in[1]), variable(random, 2, 3), variable(random, 2, 2));
        check("index-select axis 0 with repeats", in -> in[0].indexSelect(0, new int[] {2, 0, 2, 1}),
                variable(random, 3, 4));
        check("index-select axis 1", in -> in[0].indexSelect(1, new int[] {3, 3, 0}), variable(random, 2, 4, 3));
        check("embedding", in -> Joins.embedding(in[0], new int[] {1, 4, 1, 0, 2, 2}, 2, 3), variable(random, 5, 3));
    }

    @Test
    void layerNorm() {
        Tensor x = variable(random, 3, 2, 5);
        Tensor gamma = variable(random, 5), beta = variable(random, 5);
        check("layer norm", in -> LayerNorm.layerNorm(in[0], in[1], in[2], 1e-5), x, gamma, beta);
        check("layer norm without affine", in -> LayerNorm.layerNorm(in[0], null, null, 1e-5), x);
        check("layer norm of a view", in -> LayerNorm.layerNorm(in[0].transpose(0, 1), in[1], null, 1e-5), x, gamma);
    }

    @Test
    void dropoutWithAFixedMask() {
        Tensor x = variable(random, 4, 5);
        check("dropout", in -> Dropout.dropout(in[0], 0.3, new Random(7)), x);
    }

    @Test
    void compositionsReuseTensors() {
        // A tensor used twice must receive the sum of both gradients.
        Tensor x = variable(random, 3, 3), w = variable(random, 3, 3);
        check("x·x + x", in -> in[0].matmul(in[0]).add(in[0]).mul(in[1]).tanh(), x, w);
        // An intermediate with four consumers: its gradient is summed in a buffer of its own.
        check("h used four times", in -> {
            Tensor h = in[0].mul(in[1]);
            return h.add(h.square()).add(h.exp()).sub(h.mT());
        }, x, w);
    }

    @Test
    void decoderOps() {
        Tensor x = variable(random, 2, 3, 8), weight = variable(random, 8);
        check("silu", in -> in[0].silu(), x);
        check("rms norm", in -> RmsNorm.rmsNorm(in[0], in[1], 1e-6), x, weight);
        Tensor heads = variable(random, 1, 2, 3, 4);
        Tensor cos = Tensor.rand(DType.F64, random, -1, 1, 3, 4), sin = Tensor.rand(DType.F64, random, -1, 1, 3, 4);
        check("rope", in -> Rope.rotate(in[0], cos, sin), heads);
        // Tables that want gradients themselves take the composed path.
        check("rope with learned tables", in -> Rope.rotate(in[0], in[1], in[2]), heads, variable(random, 3, 4),
                variable(random, 3, 4));
        Tensor q = variable(random, 1, 4, 3, 2), k = variable(random, 1, 2, 5, 2), v = variable(random, 1, 2, 5, 2);
        check("grouped causal attention with cached keys",
                in -> Attention.scaledDotProduct(in[0], in[1], in[2], 0.7, true), q, k, v);
        Tensor kFull = variable(random, 1, 1, 3, 2), vFull = variable(random, 1, 1, 3, 2);
        check("multi-query attention, no mask",
                in -> Attention.scaledDotProduct(in[0], in[1], in[2], 0.7, false), q, kFull, vFull);
    }
}
