package amalgam.merge.dil;

import amalgam.engine.DType;
import amalgam.engine.Engine;
import amalgam.engine.Tensor;
import amalgam.engine.nn.TinyViT;
import amalgam.engine.nn.WeightSubstitution;
import amalgam.engine.models.vit.ViTForImageClassification;
import amalgam.merge.adaptive.PeftDeltas;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A TinyViT written as a transformers ViT checkpoint, and its LoRA as a PEFT adapter, compute what the TinyViT
 * computes: the same logits from the same PNG read through the exported image processor, without and with the
 * adapter (loaded the way {@code amalgam run} and {@code train-coefficients} load adapters).
 */
class HuggingFaceExportTest {

    @TempDir
    static Path dir;

    private static TinyViT tiny;
    private static LoraFactors lora;
    private static ViTForImageClassification vit;
    private static Tensor images, pixels;

    @BeforeAll
    static void export() throws IOException {
        Random random = new Random(5);
        tiny = new TinyViT(DType.F32, random);
        Map<String, Tensor> a = new LinkedHashMap<>(), b = new LinkedHashMap<>();
        Map<String, Tensor> parameters = tiny.namedParameters();
        try (var _ = Engine.noGrad(); var _ = Engine.step()) {
            for (String module : TinyViT.ATTENTION_PROJECTIONS) {
                Tensor w = parameters.get(module + ".weight");
                a.put(module, Tensor.randn(DType.F32, random, 8, w.dim(1)).mul(0.2).toPersistent());
                b.put(module, Tensor.randn(DType.F32, random, w.dim(0), 8).mul(0.2).toPersistent());
            }
        }
        lora = new LoraFactors(a, b, 2.0);
        HuggingFaceExport.writeModel(tiny, dir.resolve("base"));
        HuggingFaceExport.writeAdapter(lora, dir.resolve("base"), dir.resolve("adapter"));
        vit = ViTForImageClassification.load(dir.resolve("base"));

        // Three grey images with every byte value somewhere, as PNG files and as the TinyViT's input.
        int n = 3, size = TinyViT.IMAGE * TinyViT.IMAGE;
        float[] values = new float[n * size];
        Tensor[] fromFiles = new Tensor[n];
        for (int i = 0; i < n; i++) {
            BufferedImage png = new BufferedImage(TinyViT.IMAGE, TinyViT.IMAGE, BufferedImage.TYPE_BYTE_GRAY);
            for (int p = 0; p < size; p++) {
                int v = (p * 7 + i * 91) % 256;
                png.getRaster().setSample(p % TinyViT.IMAGE, p / TinyViT.IMAGE, 0, v);
                values[i * size + p] = v / 255f;
            }
            Path file = dir.resolve("image" + i + ".png");
            ImageIO.write(png, "png", file.toFile());
            fromFiles[i] = vit.pixels(file);
        }
        try (var _ = Engine.noGrad(); var _ = Engine.step()) {
            images = Tensor.of(values, n, size).toPersistent();
            pixels = amalgam.engine.ops.Joins.concat(0, fromFiles).toPersistent();
        }
    }

    @Test
    void theCheckpointIsTheTinyViT() {
        assertEquals(HuggingFaceExport.LABELS, vit.labels());
        try (var _ = Engine.noGrad(); var _ = Engine.step()) {
            assertArrayEquals(tiny.forward(images).toFloatArray(), vit.logits(pixels).toFloatArray(), 2e-5f);
        }
    }

    @Test
    void theAdapterIsTheTinyViTsLora() {
        Map<String, Tensor> deltas = PeftDeltas.read(dir.resolve("adapter"), (amalgam.engine.models.LoadedModel) vit);
        assertEquals(4 * TinyViT.DEPTH, deltas.size()); // q, k, v and o of each layer
        try (var _ = Engine.noGrad(); var _ = Engine.step()) {
            Map<String, Tensor> tinyWeights = new LinkedHashMap<>(), vitWeights = new LinkedHashMap<>();
            Map<String, Tensor> base = tiny.namedParameters();
            lora.deltas().forEach((m, d) -> tinyWeights.put(m, base.get(m + ".weight").add(d)));
            deltas.forEach((m, d) -> vitWeights.put(m, vit.linear(m).weight().add(d)));
            float[] expected = WeightSubstitution.forward(tiny, tinyWeights, images).toFloatArray();
            float[] withoutAdapter = tiny.forward(images).toFloatArray();
            assertArrayEquals(expected, WeightSubstitution.forward(vit, vitWeights, pixels).toFloatArray(), 2e-5f);
            double moved = 0;
            for (int i = 0; i < expected.length; i++) moved = Math.max(moved, Math.abs(expected[i] - withoutAdapter[i]));
            org.junit.jupiter.api.Assertions.assertTrue(moved > 1e-2, "the adapter changes the logits: " + moved);
        }
    }

    @Test
    void theAdapterTargetsWhatPeftTargets() throws IOException {
        var config = new com.fasterxml.jackson.databind.ObjectMapper().readTree(dir.resolve("adapter/adapter_config.json").toFile());
        assertEquals(8, config.get("r").asInt());
        assertEquals(16.0, config.get("lora_alpha").asDouble());
        assertEquals(List.of("q_proj", "k_proj", "v_proj", "o_proj"),
                List.of(config.get("target_modules").get(0).asText(), config.get("target_modules").get(1).asText(),
                        config.get("target_modules").get(2).asText(), config.get("target_modules").get(3).asText()));
    }
}
