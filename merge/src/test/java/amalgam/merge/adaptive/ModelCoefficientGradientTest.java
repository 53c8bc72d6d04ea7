package amalgam.merge.adaptive;

import amalgam.merge.algorithms.MergeMethod;
import amalgam.engine.DType;
import amalgam.engine.Tensor;
import amalgam.engine.models.llama.LlamaConfig;
import amalgam.engine.models.llama.LlamaForCausalLM;
import amalgam.engine.models.llama.RopeParameters;
import amalgam.engine.models.llama.Variant;
import amalgam.engine.models.vit.ViTConfig;
import amalgam.engine.models.vit.ViTForImageClassification;
import amalgam.merge.adaptive.TokenBuffer.Sequence;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Random;

/**
 * dL/dc through the merge equals finite differences on the Hugging Face architectures, in F64: a GQA decoder
 * with q/k/v biases scored on padded token sequences (one scored only after its prompt), and a ViT scored on
 * labelled pixels — for each merge kind and parameterisation, per adapter and per module.
 */
class ModelCoefficientGradientTest {

    static final String CASES = """
            task_arithmetic, sigmoid, ADAPTER, true
            ties, sigmoid, MODULE, true
            dare_ties, sigmoid, ADAPTER, true
            ties, softmax, ADAPTER, true
            task_arithmetic, tanh, MODULE, false
            dare_ties, none, ADAPTER, false
            task_arithmetic, leaky_relu, MODULE, false
            """;

    @ParameterizedTest(name = "decoder {0} {1} {2} learned scale {3}")
    @CsvSource(textBlock = CASES)
    void decoder(String kind, String activation, Granularity granularity, boolean learnScale) {
        LlamaConfig config = new LlamaConfig(Variant.QWEN2, 11, 8, 12, 2, 2, 1, 4, 1e-6, true, true, false, false,
                64, new RopeParameters("default", 10000, 4, 1, 1, 4, 64), OptionalInt.empty(), List.of(), "test");
        LlamaForCausalLM model = new LlamaForCausalLM("Qwen2ForCausalLM", config, SyntheticAdapters.randomWeights(DType.F64, 3));
        List<String> modules = List.of("model.layers.0.self_attn.q_proj", "model.layers.0.self_attn.v_proj",
                "model.layers.1.mlp.down_proj");
        Buffer buffer = new TokenBuffer(model, List.of(Sequence.allTokens(new int[] {1, 4, 7, 2}),
                new Sequence(new int[] {3, 3, 9, 10, 0, 5}, 3)));
        check(model.module(), modules, buffer, kind, activation, granularity, learnScale);
    }

    @ParameterizedTest(name = "vit {0} {1} {2} learned scale {3}")
    @CsvSource(textBlock = CASES)
    void vit(String kind, String activation, Granularity granularity, boolean learnScale) {
        ViTConfig config = new ViTConfig(8, 1, 2, 12, "gelu", 1e-12, 8, 4, 3, true, List.of("a", "b", "c"));
        ViTForImageClassification model = new ViTForImageClassification(config, SyntheticAdapters.randomWeights(DType.F64, 4), null);
        List<String> modules = List.of("vit.encoder.layer.0.attention.attention.query",
                "vit.encoder.layer.0.attention.attention.value", "vit.encoder.layer.0.output.dense");
        Tensor pixels = Tensor.rand(DType.F64, new Random(8), -1, 1, 2, 3, 8, 8).toPersistent();
        Buffer buffer = new LabelledImages(model::logits, pixels, new int[] {2, 0}, Objective.crossEntropy());
        check(model, modules, buffer, kind, activation, granularity, learnScale);
    }

    private static void check(amalgam.engine.nn.Module model, List<String> modules, Buffer buffer, String kind,
                              String activation, Granularity granularity, boolean learnScale) {
        List<Map<String, Tensor>> adapters = SyntheticAdapters.adapters(model, modules, 3, 0.2, 12);
        AdaptiveMerge merge = new AdaptiveMerge(model, modules, adapters, MergeMethod.learnableFromName(kind), 0.5, 5);
        Coefficients coefficients = new Coefficients(new CoefficientSettings(CoefficientActivation.parse(activation),
                granularity, 3, learnScale, false), 3, modules.size(), DType.F64);
        Random random = new Random(13);
        double[] c = new double[(int) coefficients.raw().numel()];
        for (int i = 0; i < c.length; i++) c[i] = random.nextGaussian();
        SyntheticAdapters.set(coefficients.raw(), c);
        SyntheticAdapters.set(coefficients.beta(), new double[] {0.4});
        CoefficientGradientTest.assertGradientMatchesFiniteDifferences(merge, coefficients, buffer);
    }
}
