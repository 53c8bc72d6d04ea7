package amalgam.merge.cli;

import static amalgam.merge.cli.FullModelFixtures.HF;
import static amalgam.merge.cli.FullModelFixtures.assertFolded;
import static amalgam.merge.cli.FullModelFixtures.assertSameLogits;
import static amalgam.merge.cli.FullModelFixtures.delta;
import static amalgam.merge.cli.FullModelFixtures.floats;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import amalgam.engine.hub.Checkpoint;
import amalgam.engine.io.FileDType;
import amalgam.engine.io.SafetensorsFile;
import amalgam.engine.io.TensorInfo;
import amalgam.merge.adapter.TestAdapters;
import amalgam.merge.algorithms.LowRankUpdate;
import amalgam.merge.pipeline.MergeRecipe;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code amalgam merge --full-model} on the committed transformers checkpoints: every adapted weight is W + ΔW
 * (ΔW computed here in double from the input adapters' factors) rounded to the weight's own type, every other
 * tensor and file is the base's byte for byte, shards stay shards, and the model {@code amalgam run} loads from the
 * output gives the logits of the base with the adapters attached unmerged.
 */
class FullModelMergeTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path LLAMA = HF.resolve("llama-f32");
    private static final Path LLAMA_QV = LLAMA.resolve("adapters/lora_qv");

    @TempDir
    Path dir;

    /** A second adapter of llama-f32's q_proj and v_proj, of another rank and a small scale (0.02/2). */
    private Path secondLlamaAdapter(String... configFields) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            TestAdapters t = new TestAdapters(arena, 7);
            for (int layer = 0; layer < 2; layer++) {
                t.linear("model.layers." + layer + ".self_attn.q_proj", 2, 64, 64)
                        .linear("model.layers." + layer + ".self_attn.v_proj", 2, 64, 32);
            }
            return t.write(dir.resolve("second"), TestAdapters.config(2, 0.02, configFields), FileDType.F32);
        }
    }

    @Test
    void adaptedWeightsAreBasePlusTheUpdateAndEverythingElseIsTheBasesBytes() throws IOException {
        Path second = secondLlamaAdapter();
        Path out = dir.resolve("merged");
        MergeRuns.Run run = MergeRuns.merge(out, List.of(LLAMA_QV, second), "--method", "cat", "--weights", "0.7,0.3",
                "--base-model", LLAMA.toString(), "--full-model");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.err().contains("not copied from the base model") && run.err().contains("adapters/"), run.err());
        assertTrue(run.out().contains("folded into the weights of " + LLAMA.toAbsolutePath().normalize()), run.out());

        Map<String, List<LowRankUpdate>> updates = new java.util.TreeMap<>();
        try (Arena arena = Arena.ofConfined()) {
            Map<String, LowRankUpdate> a = MergeRuns.updates(LLAMA_QV, arena), b = MergeRuns.updates(second, arena);
            a.forEach((module, u) -> updates.put(module + ".weight", List.of(u, b.get(module))));
            assertEquals(4, updates.size());
            try (SafetensorsFile base = SafetensorsFile.open(LLAMA.resolve(Checkpoint.WEIGHTS));
                 SafetensorsFile merged = SafetensorsFile.open(out.resolve(Checkpoint.WEIGHTS))) {
                assertEquals(base.tensors().stream().map(TensorInfo::name).toList(),
                        merged.tensors().stream().map(TensorInfo::name).toList());
                for (TensorInfo t : base.tensors()) {
                    TensorInfo m = merged.tensor(t.name()).orElseThrow();
                    assertEquals(t.dtype(), m.dtype(), t.name());
                    assertArrayEquals(t.shape(), m.shape(), t.name());
                    List<LowRankUpdate> u = updates.get(t.name());
                    if (u == null) {
                        assertEquals(-1, base.rawBytes(t).mismatch(merged.rawBytes(m)), t.name() + " changed");
                    } else {
                        assertFolded(floats(base, t.name()), delta(u, new double[] {0.7, 0.3}, false),
                                floats(merged, t.name()), FileDType.F32, 1e-6, t.name());
                    }
                }
                assertEquals("pt", merged.metadata().get("format"));
                assertEquals("cat", merged.metadata().get("merge_method"));
                assertEquals(LLAMA.toAbsolutePath().normalize().toString(), merged.metadata().get("merge_base_model"));
            }
        }
        for (String file : List.of("config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json")) {
            assertArrayEquals(Files.readAllBytes(LLAMA.resolve(file)), Files.readAllBytes(out.resolve(file)), file);
        }
        assertFalse(Files.exists(out.resolve("adapters")), "the base's adapters folder is no part of the model");
        String recipe = Files.readString(out.resolve(MergeRecipe.FILE_NAME));
        assertTrue(recipe.contains("base_model: " + LLAMA.toAbsolutePath().normalize()), recipe);
        assertTrue(recipe.contains("--full-model") && !recipe.contains("dtype:"), recipe);
    }

    @Test
    void theMergedModelRunsAsTheBaseWithTheAdaptersAttached() throws IOException {
        Path second = secondLlamaAdapter();
        Path out = dir.resolve("merged");
        MergeRuns.Run run = MergeRuns.merge(out, List.of(LLAMA_QV, second), "--method", "cat",
                "--base-model", LLAMA.toString(), "--full-model");
        assertEquals(0, run.exitCode(), run.err());
        double[] unmerged = FullModelFixtures.textLogits(LLAMA, List.of(LLAMA_QV, second));
        assertSameLogits(unmerged, FullModelFixtures.textLogits(out, List.of()), 1e-5, "merged vs unmerged");
        double[] base = FullModelFixtures.textLogits(LLAMA, List.of());
        assertTrue(FullModelFixtures.maxDifference(base, unmerged) > 1e-2, "the adapters change the logits");
    }

    @Test
    void bf16WeightsAreRoundedToNearestOnceAndStayBf16() throws IOException {
        Path qwen = HF.resolve("qwen2-bf16");
        Path adapter = qwen.resolve("adapters/lora_qkvo");
        Path out = dir.resolve("merged");
        MergeRuns.Run run = MergeRuns.merge(out, List.of(adapter), "--method", "linear",
                "--base-model", qwen.toString(), "--full-model");
        assertEquals(0, run.exitCode(), run.err());
        try (Arena arena = Arena.ofConfined();
             SafetensorsFile base = SafetensorsFile.open(qwen.resolve(Checkpoint.WEIGHTS));
             SafetensorsFile merged = SafetensorsFile.open(out.resolve(Checkpoint.WEIGHTS))) {
            Map<String, LowRankUpdate> updates = MergeRuns.updates(adapter, arena);
            assertEquals(8, updates.size());
            for (TensorInfo t : base.tensors()) {
                TensorInfo m = merged.tensor(t.name()).orElseThrow();
                assertEquals(FileDType.BF16, m.dtype(), t.name());
                LowRankUpdate u = updates.get(t.name().replaceFirst("\\.weight$", ""));
                if (u == null || !t.name().endsWith(".weight")) {
                    assertEquals(-1, base.rawBytes(t).mismatch(merged.rawBytes(m)), t.name() + " changed");
                } else {
                    assertFolded(floats(base, t.name()), delta(List.of(u), new double[] {1}, false),
                            floats(merged, t.name()), FileDType.BF16, 1e-6, t.name());
                }
            }
        }
        double[] unmerged = FullModelFixtures.textLogits(qwen, List.of(adapter));
        // The merged weights are rounded to bf16 once more, as PEFT's merge_and_unload rounds them.
        assertSameLogits(unmerged, FullModelFixtures.textLogits(out, List.of()), 2e-2, "merged vs unmerged");
    }

    @Test
    void aShardedBaseGivesTheSameShardsAndAValidIndex() throws IOException {
        Path mistral = HF.resolve("mistral-f32-sharded");
        Path adapter = mistral.resolve("adapters/lora_qv");
        Path out = dir.resolve("merged");
        MergeRuns.Run run = MergeRuns.merge(out, List.of(adapter), "--method", "linear",
                "--base-model", mistral.toString(), "--full-model");
        assertEquals(0, run.exitCode(), run.err());
        assertFalse(Files.exists(out.resolve(Checkpoint.WEIGHTS)));
        JsonNode baseIndex = JSON.readTree(mistral.resolve(Checkpoint.INDEX).toFile());
        JsonNode index = JSON.readTree(out.resolve(Checkpoint.INDEX).toFile());
        assertEquals(baseIndex.get("weight_map"), index.get("weight_map"));
        assertEquals(baseIndex.get("metadata"), index.get("metadata"));
        Set<String> shards = new java.util.TreeSet<>();
        baseIndex.get("weight_map").forEach(s -> shards.add(s.asText()));
        assertEquals(4, shards.size());
        long total = 0;
        for (String shard : shards) {
            try (SafetensorsFile base = SafetensorsFile.open(mistral.resolve(shard));
                 SafetensorsFile merged = SafetensorsFile.open(out.resolve(shard))) {
                assertEquals(base.tensors().stream().map(TensorInfo::name).toList(),
                        merged.tensors().stream().map(TensorInfo::name).toList(), shard);
                for (TensorInfo t : merged.tensors()) total += t.byteSize();
                assertEquals("pt", merged.metadata().get("format"), shard);
                assertEquals("linear", merged.metadata().get("merge_method"), shard);
            }
        }
        assertEquals(index.get("metadata").get("total_size").asLong(), total);
        try (Checkpoint checkpoint = Checkpoint.open(out)) {
            assertTrue(checkpoint.sharded());
            assertEquals(baseIndex.get("weight_map").size(), checkpoint.tensorNames().size());
        }
        assertSameLogits(FullModelFixtures.textLogits(mistral, List.of(adapter)),
                FullModelFixtures.textLogits(out, List.of()), 1e-5, "merged vs unmerged");
    }

    @Test
    void jsonNamesTheBaseAndNoOneType() throws IOException {
        Path mistral = HF.resolve("mistral-f32-sharded");
        MergeRuns.Run run = MergeRuns.merge(dir.resolve("merged"), List.of(mistral.resolve("adapters/lora_qv")),
                "--method", "linear", "--base-model", mistral.toString(), "--full-model", "--json");
        assertEquals(0, run.exitCode(), run.err());
        JsonNode json = JSON.readTree(run.out());
        assertEquals(mistral.toAbsolutePath().normalize().toString(), json.get("base_model").asText());
        assertTrue(json.get("dtype").isNull());
        assertEquals(4, json.get("modules").size());
        MergeRuns.Run adapter = MergeRuns.merge(dir.resolve("adapter"), List.of(mistral.resolve("adapters/lora_qv")),
                "--method", "linear", "--json");
        assertTrue(JSON.readTree(adapter.out()).get("base_model").isNull());
    }

    @Test
    void vitAdaptersOfEitherNamingFoldIntoTheCheckpointsOldNames() throws IOException {
        Path vit = HF.resolve("vit-f32");
        Path image = vit.resolve("rgb.png");
        double[] unmerged = FullModelFixtures.imageLogits(vit, image, List.of(vit.resolve("adapters/lora_qv")));
        List<float[]> queries = new ArrayList<>();
        for (String adapter : List.of("lora_qv", "lora_qv_v4names")) {
            Path out = dir.resolve(adapter);
            MergeRuns.Run run = MergeRuns.merge(out, List.of(vit.resolve("adapters").resolve(adapter)),
                    "--method", "linear", "--base-model", vit.toString(), "--full-model");
            assertEquals(0, run.exitCode(), run.err());
            assertSameLogits(unmerged, FullModelFixtures.imageLogits(out, image, List.of()), 1e-5, adapter);
            try (SafetensorsFile merged = SafetensorsFile.open(out.resolve(Checkpoint.WEIGHTS))) {
                queries.add(floats(merged, "vit.encoder.layer.0.attention.attention.query.weight"));
            }
            assertArrayEquals(Files.readAllBytes(vit.resolve("preprocessor_config.json")),
                    Files.readAllBytes(out.resolve("preprocessor_config.json")));
        }
        try (SafetensorsFile base = SafetensorsFile.open(vit.resolve(Checkpoint.WEIGHTS))) {
            float[] before = floats(base, "vit.encoder.layer.0.attention.attention.query.weight");
            assertFalse(java.util.Arrays.equals(before, queries.getFirst()), "the query weight was not changed");
        }
        assertArrayEquals(queries.get(0), queries.get(1), 1e-6f);
    }

    @Test
    void embeddingAndFanInFanOutUpdatesAreAddedTransposed() throws IOException {
        Path embedding, conv1d;
        try (Arena arena = Arena.ofConfined()) {
            embedding = new TestAdapters(arena, 3).embedding("model.embed_tokens", 3, 384, 64)
                    .write(dir.resolve("embedding"), TestAdapters.config(3, 0.03), FileDType.F32);
            conv1d = new TestAdapters(arena, 4).linear("model.layers.1.self_attn.q_proj", 3, 64, 64)
                    .write(dir.resolve("conv1d"), TestAdapters.config(3, 0.03, "\"fan_in_fan_out\": true"),
                            FileDType.F32);
        }
        Map<Path, String> tensors = Map.of(embedding, "model.embed_tokens.weight",
                conv1d, "model.layers.1.self_attn.q_proj.weight");
        for (Map.Entry<Path, String> e : tensors.entrySet()) {
            Path out = dir.resolve("merged-" + e.getKey().getFileName());
            MergeRuns.Run run = MergeRuns.merge(out, List.of(e.getKey()), "--method", "cat",
                    "--base-model", LLAMA.toString(), "--full-model");
            assertEquals(0, run.exitCode(), run.err());
            try (Arena arena = Arena.ofConfined();
                 SafetensorsFile base = SafetensorsFile.open(LLAMA.resolve(Checkpoint.WEIGHTS));
                 SafetensorsFile merged = SafetensorsFile.open(out.resolve(Checkpoint.WEIGHTS))) {
                LowRankUpdate u = MergeRuns.updates(e.getKey(), arena).values().iterator().next();
                assertFolded(floats(base, e.getValue()), delta(List.of(u), new double[] {1}, true),
                        floats(merged, e.getValue()), FileDType.F32, 1e-6, e.getValue());
            }
        }
    }

    @Test
    void aConfigsBaseModelGivesTheSameModelAsTheFlags() throws IOException {
        Path second = secondLlamaAdapter();
        Path config = Files.writeString(dir.resolve("merge.yml"), "merge_method: ties\nbase_model: "
                + dir.relativize(LLAMA.toAbsolutePath().normalize()) + "\nmodels:\n  - model: "
                + LLAMA_QV.toAbsolutePath().normalize() + "\n  - model: second\nparameters: {density: 0.5}\n");
        Path fromConfig = dir.resolve("from-config"), fromFlags = dir.resolve("from-flags");
        MergeRuns.Run run = MergeRuns.run("merge", "--threads", "2", "--config", config.toString(), "--full-model",
                "--out", fromConfig.toString());
        assertEquals(0, run.exitCode(), run.err());
        run = MergeRuns.merge(fromFlags, List.of(LLAMA_QV, second), "--method", "ties", "--density", "0.5",
                "--base-model", LLAMA.toString(), "--full-model");
        assertEquals(0, run.exitCode(), run.err());
        for (String file : List.of(Checkpoint.WEIGHTS, MergeRecipe.FILE_NAME, "config.json")) {
            assertArrayEquals(Files.readAllBytes(fromFlags.resolve(file)), Files.readAllBytes(fromConfig.resolve(file)),
                    file);
        }
        // The recipe repeats the merge.
        Path again = dir.resolve("again");
        run = MergeRuns.run("merge", "--threads", "2", "--config", fromConfig.resolve(MergeRecipe.FILE_NAME).toString(),
                "--full-model", "--out", again.toString());
        assertEquals(0, run.exitCode(), run.err());
        assertArrayEquals(Files.readAllBytes(fromFlags.resolve(Checkpoint.WEIGHTS)),
                Files.readAllBytes(again.resolve(Checkpoint.WEIGHTS)));
    }
}
