package amalgam.engine.models.llama;

import static org.junit.jupiter.api.Assertions.assertEquals;

import amalgam.engine.DType;
import amalgam.engine.GradCheck;
import amalgam.engine.Tensor;
import amalgam.engine.hub.TensorSource;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Random;

/** Finite differences (F64) through a one-block decoder end to end: every weight, biases, and LoRA factors. */
class LlamaGradientTest {

    /** Random weights of whatever shape the definition asks for, kept so the test can differentiate them. */
    private static final class RandomWeights implements TensorSource {
        final Map<String, Tensor> made = new LinkedHashMap<>();
        private final Random random = new Random(17);

        @Override
        public boolean has(String name) {
            return true;
        }

        @Override
        public Tensor load(String name, int... shape) {
            Tensor t = name.endsWith("norm.weight") ? Tensor.rand(DType.F64, random, 0.5, 1.5, shape)
                    : Tensor.rand(DType.F64, random, -0.5, 0.5, shape);
            made.put(name, t);
            return t;
        }
    }

    @Test
    void oneDecoderBlockEndToEnd() {
        LlamaConfig config = new LlamaConfig(Variant.LLAMA, 7, 8, 12, 1, 2, 1, 4, 1e-6, false, true, true, true,
                64, new RopeParameters("llama3", 10000, 4, 4, 1, 4, 16), OptionalInt.empty(), List.of(), "test");
        RandomWeights weights = new RandomWeights();
        LlamaForCausalLM model = new LlamaForCausalLM("LlamaForCausalLM", config, weights);
        assertEquals(weights.made.keySet(), model.namedParameters().keySet());
        Random random = new Random(5);
        model.attachLora("model.layers.0.self_attn.v_proj", "a", GradCheck.variable(random, 2, 8),
                GradCheck.variable(random, 4, 2), 1.5);
        model.attachLora("model.layers.0.self_attn.v_proj", "b", GradCheck.variable(random, 1, 8),
                GradCheck.variable(random, 4, 1), 0.5);
        List<Tensor> inputs = new ArrayList<>();
        for (Tensor p : model.namedParameters().values()) inputs.add(p.requiresGrad(true));
        int[][] ids = {{3, 0, 6}, {1, 1, 5}};
        GradCheck.checkSampled("Llama decoder", in -> model.logits(ids), 6, new Random(9), inputs.toArray(Tensor[]::new));
    }
}
