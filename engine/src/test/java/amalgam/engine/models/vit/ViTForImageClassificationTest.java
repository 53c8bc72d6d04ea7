package amalgam.engine.models.vit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import amalgam.engine.DType;
import amalgam.engine.Tensor;
import amalgam.engine.hub.Checkpoint;
import amalgam.engine.hub.JsonConfig;
import amalgam.engine.io.SafetensorsFile;
import amalgam.engine.nn.LoraLinear;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

class ViTForImageClassificationTest {

    private static final List<String> NO_ADAPTERS = List.of();

    private static Tensor pixels(VitFixture.Case c) {
        int[] s = c.pixelShape();
        return Tensor.of(c.pixelValues(), 1, s[0], s[1], s[2]);
    }

    private static float[] logits(ViTForImageClassification model, Tensor pixels) {
        return model.logits(pixels).toFloatArray();
    }

    /** The fixture's pixel values in, so model error is measured apart from preprocessing error. */
    @ParameterizedTest
    @CsvSource({"vit-f32, 1e-4", "vit-bf16, 2e-3"})
    void logitsFromPixelValuesMatchTransformers(String name, double tolerance) {
        VitFixture fixture = VitFixture.load(name);
        ViTForImageClassification model = ViTForImageClassification.load(fixture.directory());
        for (VitFixture.Case c : fixture.cases()) {
            if (!c.adapters().isEmpty()) continue;
            float[] actual = logits(model, pixels(c));
            double error = VitFixture.relativeError(actual, c.logits());
            assertTrue(error <= tolerance, name + " " + c.image() + ": relative error " + error);
            assertEquals(c.label(), model.labels().get(VitFixture.argmax(actual)), c.image());
        }
    }

    @ParameterizedTest
    @CsvSource({"vit-f32, 1e-4", "vit-bf16, 2e-3"})
    void imageFilesEndToEnd(String name, double tolerance) {
        VitFixture fixture = VitFixture.load(name);
        ViTForImageClassification model = ViTForImageClassification.load(fixture.directory());
        for (String image : List.of("rgb.png", "gray.png")) {
            VitFixture.Case c = fixture.only(image, NO_ADAPTERS);
            float[] actual = logits(model, model.preprocessor().pixels(fixture.directory().resolve(image)));
            double error = VitFixture.relativeError(actual, c.logits());
            assertTrue(error <= tolerance, name + " " + image + ": relative error " + error);
            assertEquals(c.label(), model.labels().get(VitFixture.argmax(actual)));
        }
        // The JPEG decoder may differ by up to 2 levels (ImagePreprocessorTest), which moves logits more than the
        // model's own error does; the label must hold.
        VitFixture.Case photo = fixture.only("photo.jpg", NO_ADAPTERS);
        float[] actual = logits(model, model.preprocessor().pixels(fixture.directory().resolve("photo.jpg")));
        assertEquals(photo.label(), model.labels().get(VitFixture.argmax(actual)));
        assertTrue(VitFixture.relativeError(actual, photo.logits()) <= 0.05);
    }

    @Test
    void labelsComeFromId2LabelAndParametersFromCheckpointKeys() {
        VitFixture fixture = VitFixture.load("vit-f32");
        ViTForImageClassification model = ViTForImageClassification.load(fixture.directory());
        assertEquals(List.of("cat", "dog", "bird", "fish", "horse"), model.labels());
        try (Checkpoint checkpoint = Checkpoint.open(fixture.directory())) {
            assertEquals(new java.util.TreeSet<>(checkpoint.tensorNames()), new java.util.TreeSet<>(model.namedParameters().keySet()));
        }
        assertTrue(model.trainableParameters().isEmpty());
    }

    /**
     * PEFT's adapter on query and value attached as y = x·Wᵀ + s·(x·Aᵀ)·Bᵀ (factors never multiplied out), from
     * keys with transformers-5 module names (lora_qv) and with the checkpoint's names (lora_qv_v4names).
     */
    @ParameterizedTest
    @CsvSource({"vit-f32, lora_qv, 1e-4", "vit-f32, lora_qv_v4names, 1e-4", "vit-bf16, lora_qv, 2e-3",
            "vit-bf16, lora_qv_v4names, 2e-3"})
    void loraAdapterOnQueryAndValueMatchesPeft(String name, String adapterName, double tolerance) {
        VitFixture fixture = VitFixture.load(name);
        VitFixture.Case c = fixture.only("rgb.png", List.of(adapterName));
        Path adapter = fixture.directory().resolve("adapters").resolve(adapterName);
        JsonConfig config = JsonConfig.read(adapter.resolve("adapter_config.json"));
        int rank = config.positive("r");
        double scaling = config.flag("use_rslora", false) ? config.number("lora_alpha") / Math.sqrt(rank)
                : config.number("lora_alpha") / rank;
        Map<String, Tensor[]> factors = loraFactors(adapter.resolve("adapter_model.safetensors"));
        assertEquals(List.of("vit.encoder.layer.0.attention.attention.query", "vit.encoder.layer.0.attention.attention.value",
                "vit.encoder.layer.1.attention.attention.query", "vit.encoder.layer.1.attention.attention.value"),
                List.copyOf(factors.keySet()));
        ViTForImageClassification model = ViTForImageClassification.load(fixture.directory());
        factors.forEach((module, ab) -> model.module().attachLora(module, adapterName, ab[0], ab[1], scaling));
        Tensor out = model.logits(pixels(c));
        float[] actual = out.toFloatArray();
        double error = VitFixture.relativeError(actual, c.logits());
        assertTrue(error <= tolerance, name + " with " + adapterName + ": relative error " + error);
        assertEquals(c.label(), model.labels().get(VitFixture.argmax(actual)));

        // Differentiable: the adapter's factors get gradients through the whole model, the base none.
        out.sum().backward();
        for (String module : factors.keySet()) {
            assertNotNull(model.linear(module).adapters().get(adapterName).b().grad(), module);
        }
        assertTrue(model.namedParameters().entrySet().stream()
                .filter(e -> !e.getKey().contains("lora_")).allMatch(e -> e.getValue().grad() == null));
    }

    /** module name → {A [r, in], B [out, r]} from PEFT's base_model.model.<module>.lora_A.weight / lora_B.weight keys. */
    private static Map<String, Tensor[]> loraFactors(Path file) {
        Map<String, Tensor[]> out = new TreeMap<>();
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            for (var info : f.tensors()) {
                String key = info.name();
                int slot = key.endsWith(".lora_A.weight") ? 0 : key.endsWith(".lora_B.weight") ? 1 : -1;
                if (slot < 0) throw new AssertionError("unexpected tensor " + key + " in " + file);
                String module = ViTModuleNames.checkpointName(
                        key.substring("base_model.model.".length(), key.length() - ".lora_A.weight".length()));
                int[] shape = {(int) info.dim(0), (int) info.dim(1)};
                Tensor t = Tensor.wrap(DType.F32, f.load(info, Arena.ofAuto()), shape);
                out.computeIfAbsent(module, m -> new Tensor[2])[slot] = t;
            }
        }
        return out;
    }
}
