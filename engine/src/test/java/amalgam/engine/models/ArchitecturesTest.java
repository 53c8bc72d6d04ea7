package amalgam.engine.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import amalgam.engine.DType;
import amalgam.engine.InputException;
import amalgam.engine.Tensor;
import amalgam.engine.TestFixtures;
import amalgam.engine.models.llama.LlamaForCausalLM;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/** The registry, and bad model directories refused with the file and key or tensor named. */
class ArchitecturesTest {

    @TempDir
    Path dir;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A copy of fixtures/hf/llama-f32 whose config.json {@code edit} changes. */
    private Path llamaWith(Consumer<ObjectNode> edit) throws IOException {
        Path source = TestFixtures.path("hf", "llama-f32");
        Files.copy(source.resolve("model.safetensors"), dir.resolve("model.safetensors"));
        ObjectNode config = (ObjectNode) JSON.readTree(source.resolve("config.json").toFile());
        edit.accept(config);
        JSON.writeValue(dir.resolve("config.json").toFile(), config);
        return dir;
    }

    private void assertRefused(Consumer<ObjectNode> edit, String... fragments) throws IOException {
        Path model = llamaWith(edit);
        InputException e = assertThrows(InputException.class, () -> Architectures.load(model));
        for (String f : fragments) assertTrue(e.getMessage().contains(f), e.getMessage());
    }

    @Test
    void loadsByArchitectureOrModelType() throws IOException {
        assertEquals(java.util.List.of("LlamaForCausalLM", "MistralForCausalLM", "Qwen2ForCausalLM",
                "ViTForImageClassification"),
                Architectures.supported());
        LoadedModel model = Architectures.load(llamaWith(c -> {
            c.remove("architectures");
            c.put("model_type", "llama");
        }));
        assertEquals("LlamaForCausalLM", model.architecture());
        assertInstanceOf(LlamaForCausalLM.class, model);
    }

    @Test
    void namesTheCheckpointKeysAndFreezesThem() {
        LoadedModel model = Architectures.load(TestFixtures.path("hf", "llama-f32"));
        var names = model.module().namedParameters().keySet();
        assertEquals(2 * 9 + 2, names.size(), names.toString()); // tied: no lm_head.weight
        assertTrue(names.containsAll(java.util.List.of("model.embed_tokens.weight", "model.norm.weight",
                "model.layers.1.self_attn.q_proj.weight", "model.layers.0.mlp.down_proj.weight",
                "model.layers.0.post_attention_layernorm.weight")), names.toString());
        assertTrue(model.module().trainableParameters().isEmpty());
    }

    @Test
    void refusesUnknownArchitecturesByName() throws IOException {
        assertRefused(c -> c.putArray("architectures").add("GPT2LMHeadModel"),
                dir.resolve("config.json") + ": unsupported architecture 'GPT2LMHeadModel' (supported: "
                        + "LlamaForCausalLM, MistralForCausalLM, Qwen2ForCausalLM, ViTForImageClassification)");
    }

    @Test
    void refusesMissingTensors() throws IOException {
        assertRefused(c -> c.put("num_hidden_layers", 3), "tensor 'model.layers.2.", "not found");
    }

    @Test
    void refusesAWeightWhoseShapeTheConfigContradicts() throws IOException {
        assertRefused(c -> c.put("intermediate_size", 100), "'model.layers.0.mlp.gate_proj.weight'",
                "has shape [112, 64] but config.json implies [100, 64]");
    }

    @Test
    void refusesAnUntiedHeadThatIsNotThere() throws IOException {
        assertRefused(c -> c.put("tie_word_embeddings", false), "tensor 'lm_head.weight'", "not found");
    }

    @Test
    void refusesUnsupportedActivation() throws IOException {
        assertRefused(c -> c.put("hidden_act", "gelu"), "config.json: 'hidden_act'", "gelu");
    }

    @Test
    void refusesUnsupportedRopeType() throws IOException {
        assertRefused(c -> ((ObjectNode) c.get("rope_parameters")).put("rope_type", "yarn"),
                "config.json: rope_parameters: 'rope_type'", "'yarn' is not supported");
    }

    @Test
    void attachingToAMissingOrMisfitModuleNamesIt() {
        LoadedModel model = Architectures.load(TestFixtures.path("hf", "llama-f32"));
        Tensor a = Tensor.zeros(DType.F32, 2, 64), b = Tensor.zeros(DType.F32, 64, 2);
        InputException missing = assertThrows(InputException.class,
                () -> model.module().attachLora("model.layers.7.self_attn.q_proj", "x", a, b, 1));
        assertTrue(missing.getMessage().startsWith("module 'model.layers.7.self_attn.q_proj': not found"),
                missing.getMessage());
        InputException notLinear = assertThrows(InputException.class,
                () -> model.module().attachLora("model.layers.0.input_layernorm", "x", a, b, 1));
        assertTrue(notLinear.getMessage().contains("not a linear layer"), notLinear.getMessage());
        InputException misfit = assertThrows(InputException.class,
                () -> model.module().attachLora("model.layers.0.self_attn.k_proj", "x", a, b, 1));
        assertTrue(misfit.getMessage().startsWith("module 'model.layers.0.self_attn.k_proj', adapter 'x'")
                && misfit.getMessage().contains("[32, 64]"), misfit.getMessage());
    }
}
