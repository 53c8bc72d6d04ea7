package amalgam.merge.adaptive;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import amalgam.engine.DType;
import amalgam.engine.Engine;
import amalgam.engine.Tensor;
import amalgam.engine.models.llama.LlamaConfig;
import amalgam.engine.models.llama.LlamaForCausalLM;
import amalgam.engine.models.llama.RopeParameters;
import amalgam.engine.models.llama.Variant;
import amalgam.engine.models.vit.ViTConfig;
import amalgam.engine.models.vit.ViTForImageClassification;
import amalgam.engine.nn.Module;
import amalgam.merge.adaptive.TokenBuffer.Sequence;
import amalgam.merge.algorithms.MergeMethod;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A buffer evaluated in parts, each weighted by its share of the loss terms, gives the whole buffer's loss and
 * gradient (in double, to rounding) — on a decoder, whose parts score different numbers of tokens, and a ViT.
 */
class BufferPartsTest {

    @Test
    void decoderPartsGiveTheWholeLossAndGradient() {
        LlamaConfig config = new LlamaConfig(Variant.QWEN2, 11, 8, 12, 2, 2, 1, 4, 1e-6, true, true, false, false,
                64, new RopeParameters("default", 10000, 4, 1, 1, 4, 64), OptionalInt.empty(), List.of(), "test");
        LlamaForCausalLM model = new LlamaForCausalLM("Qwen2ForCausalLM", config, SyntheticAdapters.randomWeights(DType.F64, 3));
        TokenBuffer buffer = new TokenBuffer(model, List.of(Sequence.allTokens(new int[] {1, 4, 7, 2}),
                new Sequence(new int[] {3, 3, 9, 10, 0, 5}, 3), Sequence.allTokens(new int[] {6, 2, 8})));
        assertEquals(3 + 3 + 2, buffer.terms());
        List<String> modules = List.of("model.layers.0.self_attn.q_proj", "model.layers.1.mlp.down_proj");
        assertPartsEqualWhole(model.module(), modules, buffer, List.of(buffer.slice(0, 1), buffer.slice(1, 3)));
    }

    @Test
    void vitPartsGiveTheWholeLossAndGradient() {
        ViTConfig config = new ViTConfig(8, 1, 2, 12, "gelu", 1e-12, 8, 4, 3, true, List.of("a", "b", "c"));
        ViTForImageClassification model = new ViTForImageClassification(config, SyntheticAdapters.randomWeights(DType.F64, 4), null);
        Tensor pixels = Tensor.rand(DType.F64, new Random(8), -1, 1, 3, 3, 8, 8).toPersistent();
        LabelledImages buffer = new LabelledImages(model::logits, pixels, new int[] {2, 0, 1}, Objective.crossEntropy());
        List<String> modules = List.of("vit.encoder.layer.0.attention.attention.query", "vit.encoder.layer.0.output.dense");
        assertPartsEqualWhole(model, modules, buffer, List.of(buffer.slice(0, 2), buffer.slice(2, 3)));
    }

    @Test
    void longSequencesAreSplitSoAPartHoldsAboutFiveHundredPositions() {
        LlamaConfig config = new LlamaConfig(Variant.QWEN2, 11, 8, 12, 2, 2, 1, 4, 1e-6, true, true, false, false,
                1024, new RopeParameters("default", 10000, 4, 1, 1, 4, 1024), OptionalInt.empty(), List.of(), "test");
        LlamaForCausalLM model = new LlamaForCausalLM("Qwen2ForCausalLM", config, SyntheticAdapters.randomWeights(DType.F32, 3));
        List<Sequence> rows = new ArrayList<>();
        for (int s = 0; s < 9; s++) rows.add(Sequence.allTokens(new int[200]));
        List<Buffer> parts = new TokenBuffer(model, rows).parts();
        assertEquals(List.of(2, 2, 2, 2, 1), parts.stream().map(Buffer::size).toList());
    }

    private static void assertPartsEqualWhole(Module model, List<String> modules, Buffer whole, List<Buffer> parts) {
        List<Map<String, Tensor>> adapters = SyntheticAdapters.adapters(model, modules, 3, 0.2, 12);
        AdaptiveMerge merge = new AdaptiveMerge(model, modules, adapters, MergeMethod.TIES, 0.5, 5);
        Coefficients coefficients = new Coefficients(new CoefficientSettings(CoefficientActivation.SIGMOID,
                Granularity.MODULE, 3, true, false), 3, modules.size(), DType.F64);
        SyntheticAdapters.set(coefficients.raw(), new double[] {0.3, -1.1, 0.8, 0.2, -0.4, 1.5});
        double[] wholeGrad, partsGrad;
        double wholeLoss, partsLoss;
        try (var _ = Engine.step()) {
            wholeLoss = CoefficientTraining.lossAndGradient(merge, coefficients, List.of(whole));
            wholeGrad = coefficients.raw().grad().toDoubleArray();
            coefficients.raw().zeroGrad();
            coefficients.beta().zeroGrad();
            partsLoss = CoefficientTraining.lossAndGradient(merge, coefficients, parts);
            partsGrad = coefficients.raw().grad().toDoubleArray();
        }
        assertEquals(wholeLoss, partsLoss, 1e-12 * Math.abs(wholeLoss));
        assertEquals(wholeLoss, CoefficientTraining.loss(merge, coefficients, whole), 1e-12 * Math.abs(wholeLoss));
        assertArrayEquals(wholeGrad, partsGrad, 1e-12);
    }
}
