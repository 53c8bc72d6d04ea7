package amalgam.engine.hub;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import amalgam.engine.InputException;
import amalgam.engine.Tensor;
import amalgam.engine.io.FileDType;
import amalgam.engine.io.FloatTensor;
import amalgam.engine.io.Safetensors;
import amalgam.kernels.FloatSegments;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

class CheckpointTest {

    @TempDir
    Path dir;

    private void writeConfig(String json) throws IOException {
        Files.writeString(dir.resolve(Checkpoint.CONFIG), json);
    }

    private void writeWeights(String file, Map<String, float[]> values, Map<String, long[]> shapes, FileDType dtype)
            throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            Map<String, FloatTensor> tensors = new LinkedHashMap<>();
            values.forEach((name, v) -> tensors.put(name, new FloatTensor(shapes.get(name), FloatSegments.of(arena, v))));
            Safetensors.write(dir.resolve(file), tensors, Map.of("format", "pt"), dtype);
        }
    }

    @Test
    void loadsOneFileConvertingBf16AndChecksShapes() throws IOException {
        writeConfig("{\"architectures\": [\"LlamaForCausalLM\"], \"hidden_size\": 2}");
        writeWeights(Checkpoint.WEIGHTS, Map.of("w", new float[] {1, -2.5f, 0.25f, 3}), Map.of("w", new long[] {2, 2}),
                FileDType.BF16);
        try (Checkpoint c = Checkpoint.open(dir)) {
            assertEquals("LlamaForCausalLM", c.architecture());
            assertEquals(2, c.config().positive("hidden_size"));
            Tensor w = c.load("w", 2, 2);
            assertArrayEquals(new float[] {1, -2.5f, 0.25f, 3}, w.toFloatArray());
            InputException wrongShape = assertThrows(InputException.class, () -> c.load("w", 4));
            assertTrue(wrongShape.getMessage().contains("'w'") && wrongShape.getMessage().contains("[2, 2]"),
                    wrongShape.getMessage());
            InputException missing = assertThrows(InputException.class, () -> c.load("v", 1));
            assertTrue(missing.getMessage().contains("'v'"), missing.getMessage());
            assertFalse(c.loadIfPresent("bias", 2).isPresent());
        }
    }

    @Test
    void followsTheShardIndex() throws IOException {
        writeConfig("{\"model_type\": \"llama\"}");
        writeWeights("model-00001-of-00002.safetensors", Map.of("a", new float[] {1, 2}), Map.of("a", new long[] {2}),
                FileDType.F32);
        writeWeights("model-00002-of-00002.safetensors", Map.of("b", new float[] {3}), Map.of("b", new long[] {1}),
                FileDType.F16);
        Files.writeString(dir.resolve(Checkpoint.INDEX), """
                {"metadata": {"total_size": 12}, "weight_map": {
                  "a": "model-00001-of-00002.safetensors", "b": "model-00002-of-00002.safetensors"}}""");
        try (Checkpoint c = Checkpoint.open(dir)) {
            assertEquals("llama", c.architecture());
            assertEquals(java.util.Set.of("a", "b"), c.tensorNames());
            assertArrayEquals(new float[] {3}, c.load("b", 1).toFloatArray());
        }
    }

    @Test
    void refusesAnIndexThatPointsElsewhereOrLies() throws IOException {
        writeConfig("{\"model_type\": \"llama\"}");
        writeWeights("shard.safetensors", Map.of("a", new float[] {1}), Map.of("a", new long[] {1}), FileDType.F32);
        Files.writeString(dir.resolve(Checkpoint.INDEX), "{\"weight_map\": {\"a\": \"../shard.safetensors\"}}");
        assertThrows(InputException.class, () -> Checkpoint.open(dir));
        Files.writeString(dir.resolve(Checkpoint.INDEX), "{\"weight_map\": {\"z\": \"shard.safetensors\"}}");
        InputException lie = assertThrows(InputException.class, () -> Checkpoint.open(dir));
        assertTrue(lie.getMessage().contains("'z'"), lie.getMessage());
    }

    @Test
    void namesWhatIsMissing() throws IOException {
        InputException noConfig = assertThrows(InputException.class, () -> Checkpoint.open(dir));
        assertTrue(noConfig.getMessage().contains("config.json"), noConfig.getMessage());
        writeConfig("{\"model_type\": \"llama\"}");
        Files.writeString(dir.resolve("pytorch_model.bin"), "");
        InputException noWeights = assertThrows(InputException.class, () -> Checkpoint.open(dir));
        assertTrue(noWeights.getMessage().contains("safe_serialization"), noWeights.getMessage());
        writeConfig("{\"hidden_size\": \"64\"}");
        writeWeights(Checkpoint.WEIGHTS, Map.of("a", new float[] {1}), Map.of("a", new long[] {1}), FileDType.F32);
        try (Checkpoint c = Checkpoint.open(dir)) {
            InputException badType = assertThrows(InputException.class, () -> c.config().positive("hidden_size"));
            assertTrue(badType.getMessage().contains("config.json: 'hidden_size'"), badType.getMessage());
            assertThrows(InputException.class, c::architecture);
        }
    }
}
