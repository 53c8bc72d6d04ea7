package amalgam.engine.nn;

import amalgam.engine.DType;
import amalgam.engine.Engine;
import amalgam.engine.GradCheck;
import amalgam.engine.NoGrad;
import amalgam.engine.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LayersTest {

    private final Random random = new Random(21);

    /** The model's trainable parameters followed by the extra inputs, for GradCheck. */
    private static Tensor[] withParameters(Module m, Tensor... extra) {
        List<Tensor> all = new ArrayList<>(m.trainableParameters());
        all.addAll(List.of(extra));
        return all.toArray(Tensor[]::new);
    }

    @Test
    void linearComputesXWtPlusB() {
        Linear linear = new Linear(3, 2, true, DType.F64, random);
        Tensor x = Tensor.randn(DType.F64, random, 4, 3);
        double[] w = linear.weight().toDoubleArray(), b = linear.bias().toDoubleArray(), xs = x.toDoubleArray();
        double[] y = linear.forward(x).toDoubleArray();
        for (int i = 0; i < 4; i++) {
            for (int o = 0; o < 2; o++) {
                double expected = b[o];
                for (int k = 0; k < 3; k++) expected += xs[i * 3 + k] * w[o * 3 + k];
                assertEquals(expected, y[i * 2 + o], 1e-12);
            }
        }
        double bound = 1 / Math.sqrt(3);
        for (double v : w) assertTrue(Math.abs(v) <= bound, "PyTorch's default init bound");
    }

    @Test
    void linearGradients() {
        Linear linear = new Linear(4, 3, true, DType.F64, random);
        Tensor x = GradCheck.variable(random, 2, 5, 4);
        GradCheck.check("linear", in -> linear.forward(in[2]), withParameters(linear, x));
    }

    @Test
    void layerNormGradients() {
        LayerNorm norm = new LayerNorm(6, DType.F64);
        Tensor x = GradCheck.variable(random, 3, 6);
        GradCheck.check("layer norm module", in -> norm.forward(in[2]).mul(in[2]), withParameters(norm, x));
    }

    @Test
    void attentionGradients() {
        MultiHeadSelfAttention attention = new MultiHeadSelfAttention(8, 2, DType.F64, random);
        Tensor x = GradCheck.variable(random, 2, 3, 8);
        Tensor[] inputs = withParameters(attention, x);
        GradCheck.check("multi-head self-attention", in -> attention.forward(in[in.length - 1]), inputs);
    }

    @Test
    void attentionMatchesAPerHeadLoop() {
        MultiHeadSelfAttention attention = new MultiHeadSelfAttention(4, 2, DType.F64, random);
        Tensor x = Tensor.randn(DType.F64, random, 1, 3, 4);
        var p = attention.namedParameters();
        double[] y = attention.forward(x).toDoubleArray();
        // Oracle: explicit loops over heads and tokens from the named parameters.
        double[] xs = x.toDoubleArray(), wq = p.get("qkv.weight").toDoubleArray(), bq = p.get("qkv.bias").toDoubleArray();
        double[] wp = p.get("proj.weight").toDoubleArray(), bp = p.get("proj.bias").toDoubleArray();
        double[][] qkvOut = new double[3][12];
        for (int t = 0; t < 3; t++)
            for (int o = 0; o < 12; o++) {
                double s = bq[o];
                for (int k = 0; k < 4; k++) s += xs[t * 4 + k] * wq[o * 4 + k];
                qkvOut[t][o] = s;
            }
        double[][] mixed = new double[3][4];
        for (int h = 0; h < 2; h++)
            for (int t = 0; t < 3; t++) {
                double[] scores = new double[3];
                double max = Double.NEGATIVE_INFINITY, sum = 0;
                for (int u = 0; u < 3; u++) {
                    for (int d = 0; d < 2; d++) scores[u] += qkvOut[t][h * 2 + d] * qkvOut[u][4 + h * 2 + d];
                    scores[u] /= Math.sqrt(2);
                    max = Math.max(max, scores[u]);
                }
                for (int u = 0; u < 3; u++) sum += scores[u] = Math.exp(scores[u] - max);
                for (int u = 0; u < 3; u++)
                    for (int d = 0; d < 2; d++) mixed[t][h * 2 + d] += scores[u] / sum * qkvOut[u][8 + h * 2 + d];
            }
        for (int t = 0; t < 3; t++)
            for (int o = 0; o < 4; o++) {
                double s = bp[o];
                for (int k = 0; k < 4; k++) s += mixed[t][k] * wp[o * 4 + k];
                assertEquals(s, y[t * 4 + o], 1e-12, "token " + t + " output " + o);
            }
        assertEquals(4 * 12 + 12 + 4 * 4 + 4, attention.parameterCount());
    }

    @Test
    void loraStartsAtTheBaseAndMergesToTheSameFunction() {
        Tensor w0 = Tensor.randn(DType.F64, random, 5, 7), bias = Tensor.randn(DType.F64, random, 5);
        LoraLinear lora = new LoraLinear(w0, bias, 3, 6.0, false, random);
        assertEquals(2.0, lora.scaling());
        assertEquals(Math.sqrt(3) * 2, new LoraLinear(w0, null, 3, 6.0, true, random).scaling(), 1e-12);
        Tensor x = Tensor.randn(DType.F64, random, 4, 7);
        double[] base = x.matmul(w0.mT()).add(bias).toDoubleArray();
        assertArrayEquals(base, lora.forward(x).toDoubleArray(), 1e-12, "B starts at zero");

        LoraLinear trained = new LoraLinear(w0, bias, Tensor.randn(DType.F64, random, 3, 7),
                Tensor.randn(DType.F64, random, 5, 3), 0.5);
        double[] factored = trained.forward(x).toDoubleArray();
        trained.merge();
        assertTrue(trained.isMerged());
        assertArrayEquals(factored, trained.forward(x).toDoubleArray(), 1e-12);
        double[] dense = x.matmul(w0.add(trained.deltaWeight()).mT()).add(bias).toDoubleArray();
        assertArrayEquals(dense, factored, 1e-12);
        trained.unmerge();
        assertArrayEquals(factored, trained.forward(x).toDoubleArray(), 1e-12);
    }

    @Test
    void loraTrainsOnlyItsFactors() {
        Tensor w0 = Tensor.randn(DType.F64, random, 4, 6);
        LoraLinear lora = new LoraLinear(w0, Tensor.randn(DType.F64, random, 4),
                Tensor.randn(DType.F64, random, 2, 6), Tensor.randn(DType.F64, random, 4, 2), 0.75);
        assertEquals(2, lora.trainableParameters().size());
        Tensor x = GradCheck.variable(random, 3, 6);
        GradCheck.check("LoraLinear end to end", in -> lora.forward(in[2]).tanh(), withParameters(lora, x));
        assertNull(lora.namedParameters().get("weight").grad(), "the base weight is frozen");
        try (NoGrad ignored = Engine.noGrad()) {
            assertEquals(4 * 6 + 4 + 2 * 6 + 4 * 2, lora.parameterCount());
        }
    }
}
