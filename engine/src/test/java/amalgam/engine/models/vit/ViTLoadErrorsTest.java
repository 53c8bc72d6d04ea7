package amalgam.engine.models.vit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import amalgam.engine.InputException;
import amalgam.engine.hub.Checkpoint;
import amalgam.engine.hub.JsonConfig;
import amalgam.engine.io.FileDType;
import amalgam.engine.io.FloatTensor;
import amalgam.engine.io.Safetensors;
import amalgam.engine.io.SafetensorsFile;
import amalgam.engine.io.TensorInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** A broken copy of fixtures/hf/vit-f32 must fail with an error that names the file and the key or tensor. */
class ViTLoadErrorsTest {

    @TempDir
    Path dir;

    private Path copyOfFixture() throws IOException {
        Path source = VitFixture.load("vit-f32").directory();
        for (String file : new String[] {Checkpoint.CONFIG, Checkpoint.WEIGHTS, ImagePreprocessor.CONFIG}) {
            Files.copy(source.resolve(file), dir.resolve(file));
        }
        return dir;
    }

    private void editConfig(String from, String to) throws IOException {
        Path config = dir.resolve(Checkpoint.CONFIG);
        String text = Files.readString(config);
        assertTrue(text.contains(from), from);
        Files.writeString(config, text.replace(from, to));
    }

    private static InputException loadFails(Path model) {
        return assertThrows(InputException.class, () -> ViTForImageClassification.load(model));
    }

    @Test
    void readsTheFixtureConfig() throws IOException {
        ViTConfig config = ViTConfig.from(JsonConfig.read(copyOfFixture().resolve(Checkpoint.CONFIG)));
        assertEquals(48, config.hiddenSize());
        assertEquals(3, config.numAttentionHeads());
        assertEquals(17, config.tokens());
        assertEquals(5, config.numLabels());
        assertEquals(1e-12, config.layerNormEps());
    }

    @Test
    void unsupportedActivationIsRefusedByName() throws IOException {
        copyOfFixture();
        editConfig("\"hidden_act\": \"gelu\"", "\"hidden_act\": \"quick_gelu\"");
        String message = loadFails(dir).getMessage();
        assertTrue(message.contains(Checkpoint.CONFIG) && message.contains("'hidden_act'")
                && message.contains("quick_gelu"), message);
    }

    @Test
    void aNegativeLayerNormEpsilonIsRefusedByName() throws IOException {
        copyOfFixture();
        editConfig("\"layer_norm_eps\": 1e-12", "\"layer_norm_eps\": -1e-12");
        String message = loadFails(dir).getMessage();
        assertTrue(message.contains(Checkpoint.CONFIG) && message.contains("'layer_norm_eps'"), message);
    }

    @Test
    void aShapeTheConfigContradictsNamesTheTensor() throws IOException {
        copyOfFixture();
        editConfig("\"intermediate_size\": 96", "\"intermediate_size\": 95");
        String message = loadFails(dir).getMessage();
        assertTrue(message.contains(Checkpoint.WEIGHTS)
                && message.contains("'vit.encoder.layer.0.intermediate.dense.weight'"), message);
    }

    @Test
    void aMissingTensorIsNamed() throws IOException {
        copyOfFixture();
        String dropped = "vit.encoder.layer.1.attention.attention.value.bias";
        Path weights = dir.resolve(Checkpoint.WEIGHTS), without = dir.resolve("without.safetensors");
        try (Arena arena = Arena.ofConfined(); SafetensorsFile file = SafetensorsFile.open(weights)) {
            Map<String, FloatTensor> kept = new LinkedHashMap<>();
            for (TensorInfo t : file.tensors()) {
                if (!t.name().equals(dropped)) kept.put(t.name(), new FloatTensor(t.shape(), file.load(t, arena)));
            }
            Safetensors.write(without, kept, Map.of("format", "pt"), FileDType.F32);
        }
        Files.move(without, weights, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        String message = loadFails(dir).getMessage();
        assertTrue(message.contains("'" + dropped + "'") && message.contains("not found"), message);
    }

    @Test
    void aBadLabelMapNamesTheKey() throws IOException {
        copyOfFixture();
        editConfig("\"0\": \"cat\"", "\"7\": \"cat\"");
        String message = loadFails(dir).getMessage();
        assertTrue(message.contains(Checkpoint.CONFIG) && message.contains("'id2label'"), message);
    }
}
