package amalgam.merge.adapter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import amalgam.kernels.FloatSegments;
import amalgam.engine.InputException;
import amalgam.engine.io.AtomicOutput;
import amalgam.engine.io.FileDType;
import amalgam.engine.io.FloatTensor;
import amalgam.engine.io.HalfFloats;
import amalgam.engine.io.Safetensors;
import amalgam.engine.io.SafetensorsFile;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class LoraAdapterTest {

    @TempDir
    Path dir;

    private final Arena arena = Arena.ofConfined();

    @AfterEach
    void closeArena() {
        arena.close();
    }

    private static final String Q = "model.layers.0.self_attn.q_proj";
    private static final String V = "model.layers.0.self_attn.v_proj";

    private static String assertRejected(Path adapter, String... fragments) {
        InputException e = assertThrows(InputException.class, () -> LoraAdapter.open(adapter).close());
        for (String f : fragments) assertTrue(e.getMessage().contains(f), () -> e.getMessage() + " lacks " + f);
        assertTrue(!e.getMessage().contains("\n"), e.getMessage());
        return e.getMessage();
    }

    @Test
    void opensModulesWithShapesRanksAndScalings() throws IOException {
        TestAdapters t = new TestAdapters(arena, 1).linear(Q, 4, 16, 24).linear(V, 4, 16, 8)
                .embedding("model.embed_tokens", 4, 50, 16).tensor("base_model.model.score.weight", 3, 16);
        Path adapter = t.write(dir.resolve("a"), TestAdapters.config(4, 8), FileDType.F32);
        try (LoraAdapter a = LoraAdapter.open(adapter)) {
            assertEquals(List.of("model.embed_tokens", Q, V), a.modules().stream().map(LoraModule::name).toList());
            LoraModule q = a.module(Q).orElseThrow();
            assertEquals(new LoraModule(Q, LoraModule.Kind.LINEAR, 4, 16, 24, 2.0, FileDType.F32), q);
            LoraModule embed = a.module("model.embed_tokens").orElseThrow();
            assertEquals(LoraModule.Kind.EMBEDDING, embed.kind());
            assertEquals(50, embed.inFeatures());
            assertEquals(16, embed.outFeatures());
            assertEquals(List.of("base_model.model.score.weight"), a.extraTensors());
            assertEquals(Map.of("format", "pt"), a.metadata());

            MemorySegment loadedA = a.loadA(q, arena);
            MemorySegment loadedB = a.loadB(q, arena);
            assertArrayEquals(values(t, q.aKey()), FloatSegments.toArray(loadedA, 0, 64));
            assertArrayEquals(values(t, q.bKey()), FloatSegments.toArray(loadedB, 0, 96));
        }
    }

    private static float[] values(TestAdapters t, String key) {
        FloatTensor tensor = t.tensors().get(key);
        return FloatSegments.toArray(tensor.data(), 0, (int) tensor.elementCount());
    }

    @Test
    void rankPatternExplainsPerModuleRanks() throws IOException {
        Path adapter = new TestAdapters(arena, 2).linear(Q, 8, 6, 6).linear(V, 2, 6, 6)
                .write(dir.resolve("a"), TestAdapters.config(8, 16, "\"use_rslora\": true",
                        "\"rank_pattern\": {\"v_proj\": 2}", "\"alpha_pattern\": {\"v_proj\": 4}"), FileDType.BF16);
        try (LoraAdapter a = LoraAdapter.open(adapter)) {
            assertEquals(16 / Math.sqrt(8), a.module(Q).orElseThrow().scaling(), 1e-15);
            assertEquals(4 / Math.sqrt(2), a.module(V).orElseThrow().scaling(), 1e-15);
            assertEquals(FileDType.BF16, a.module(V).orElseThrow().dtype());
        }
    }

    @Test
    void rankThatDisagreesWithTheConfig() throws IOException {
        Path adapter = new TestAdapters(arena, 3).linear(Q, 4, 6, 6)
                .write(dir.resolve("a"), TestAdapters.config(8, 16), FileDType.F32);
        String message = assertRejected(adapter, "r is 8", "'" + Q + "' has rank 4", "rank_pattern");
        assertTrue(message.startsWith(adapter.resolve(AdapterConfig.FILE_NAME).toString()), message);
    }

    @Test
    void rankThatDisagreesWithTheRankPattern() throws IOException {
        Path adapter = new TestAdapters(arena, 3).linear(V, 4, 6, 6)
                .write(dir.resolve("a"), TestAdapters.config(4, 16, "\"rank_pattern\": {\"v_proj\": 2}"), FileDType.F32);
        assertRejected(adapter, "rank_pattern 'v_proj' gives 2", "has rank 4");
    }

    @Test
    void loraAWithoutLoraB() throws IOException {
        Path adapter = new TestAdapters(arena, 4).linear(Q, 4, 6, 6)
                .tensor(LoraModule.KEY_PREFIX + V + ".lora_A.weight", 4, 6)
                .write(dir.resolve("a"), TestAdapters.config(4, 4), FileDType.F32);
        String message = assertRejected(adapter, "'" + V + "'", "has lora_A but no lora_B");
        assertTrue(message.startsWith(adapter.resolve(LoraAdapter.WEIGHTS_FILE).toString()), message);
    }

    @Test
    void loraBWithoutLoraA() throws IOException {
        Path adapter = new TestAdapters(arena, 4).tensor(LoraModule.KEY_PREFIX + V + ".lora_B.weight", 6, 4)
                .write(dir.resolve("a"), TestAdapters.config(4, 4), FileDType.F32);
        assertRejected(adapter, "'" + V + "'", "has lora_B but no lora_A");
    }

    @Test
    void embeddingHalfMissing() throws IOException {
        Path adapter = new TestAdapters(arena, 4).tensor(LoraModule.KEY_PREFIX + "embed.lora_embedding_A", 4, 9)
                .write(dir.resolve("a"), TestAdapters.config(4, 4), FileDType.F32);
        assertRejected(adapter, "'embed'", "has lora_embedding_A but no lora_embedding_B");
    }

    @Test
    void factorsDisagreeOnTheRank() throws IOException {
        Path adapter = new TestAdapters(arena, 5).tensor(LoraModule.KEY_PREFIX + Q + ".lora_A.weight", 4, 6)
                .tensor(LoraModule.KEY_PREFIX + Q + ".lora_B.weight", 6, 8)
                .write(dir.resolve("a"), TestAdapters.config(4, 4), FileDType.F32);
        assertRejected(adapter, "'" + Q + "'", "lora_A [4, 6] and lora_B [6, 8] disagree on the rank (4 vs 8)");
    }

    @Test
    void nonMatrixFactorsAreRefused() throws IOException {
        Path adapter = new TestAdapters(arena, 5).tensor(LoraModule.KEY_PREFIX + Q + ".lora_A.weight", 4, 6, 3, 3)
                .tensor(LoraModule.KEY_PREFIX + Q + ".lora_B.weight", 6, 4, 1, 1)
                .write(dir.resolve("a"), TestAdapters.config(4, 4), FileDType.F32);
        assertRejected(adapter, ".lora_A.weight'", "[4, 6, 3, 3]", "2-D");
    }

    @Test
    void unknownLoraLikeKeysAreRefusedNotSkipped() throws IOException {
        Path adapter = new TestAdapters(arena, 5).linear(Q, 4, 6, 6)
                .tensor(LoraModule.KEY_PREFIX + Q + ".lora_A.default.weight", 4, 6)
                .write(dir.resolve("a"), TestAdapters.config(4, 4), FileDType.F32);
        assertRejected(adapter, "lora_A.default.weight'", "not a PEFT LoRA key");
    }

    @Test
    void doraIsRefused() throws IOException {
        Path adapter = new TestAdapters(arena, 5).linear(Q, 4, 6, 6)
                .tensor(LoraModule.KEY_PREFIX + Q + ".lora_magnitude_vector", 6)
                .write(dir.resolve("a"), TestAdapters.config(4, 4), FileDType.F32);
        assertRejected(adapter, "DoRA");
    }

    @Test
    void noLoraTensorsAtAll() throws IOException {
        Path adapter = new TestAdapters(arena, 5).tensor("something.else", 2, 2)
                .write(dir.resolve("a"), TestAdapters.config(4, 4), FileDType.F32);
        assertRejected(adapter, "no LoRA tensors");
    }

    @Test
    void missingDirectoryAndFiles() throws IOException {
        assertRejected(dir.resolve("nope"), "nope: no such adapter directory");
        Path empty = Files.createDirectory(dir.resolve("empty"));
        assertRejected(empty, "no adapter_model.safetensors");
        Files.writeString(empty.resolve("adapter_model.bin"), "pickle");
        assertRejected(empty, "adapter_model.bin", "safe_serialization=True");
        Path noConfig = new TestAdapters(arena, 5).linear(Q, 4, 6, 6).write(dir.resolve("c"), "{}", FileDType.F32);
        Files.delete(noConfig.resolve(AdapterConfig.FILE_NAME));
        assertRejected(noConfig, AdapterConfig.FILE_NAME + ": no such file");
        assertRejected(noConfig.resolve(LoraAdapter.WEIGHTS_FILE), "is a file; pass the adapter directory");
    }

    @Test
    void malformedWeightsFileIsNamed() throws IOException {
        Path adapter = new TestAdapters(arena, 5).linear(Q, 4, 6, 6)
                .write(dir.resolve("a"), TestAdapters.config(4, 4), FileDType.F32);
        Path weights = adapter.resolve(LoraAdapter.WEIGHTS_FILE);
        byte[] bytes = Files.readAllBytes(weights);
        Files.write(weights, java.util.Arrays.copyOf(bytes, bytes.length - 3));
        assertRejected(adapter, weights.toString(), "run past the data section");
    }

    @Test
    void nonFiniteWeightsAreRefusedNamingTheTensor() throws IOException {
        TestAdapters t = new TestAdapters(arena, 6).linear(Q, 2, 3, 4);
        FloatSegments.set(t.tensors().get(LoraModule.KEY_PREFIX + Q + ".lora_B.weight").data(), 5, Float.NaN);
        Path adapter = t.write(dir.resolve("a"), TestAdapters.config(2, 2), FileDType.F16);
        try (LoraAdapter a = LoraAdapter.open(adapter)) {
            LoraModule q = a.module(Q).orElseThrow();
            a.loadA(q, arena);
            InputException e = assertThrows(InputException.class, () -> a.loadB(q, arena));
            assertTrue(e.getMessage().startsWith(adapter.resolve(LoraAdapter.WEIGHTS_FILE) + ": tensor '"
                    + q.bKey() + "': contains NaN at [2, 1]"), e.getMessage());
            assertTrue(e.getMessage().contains("--allow-nonfinite"), e.getMessage());
        }
        try (LoraAdapter a = LoraAdapter.open(adapter, true)) {
            MemorySegment b = a.loadB(a.module(Q).orElseThrow(), arena);
            assertTrue(Float.isNaN(FloatSegments.get(b, 5)));
        }
    }

    @Test
    void infinityFromF16OverflowIsRefusedToo() throws IOException {
        TestAdapters t = new TestAdapters(arena, 6).linear(Q, 2, 3, 4);
        FloatSegments.set(t.tensors().get(LoraModule.KEY_PREFIX + Q + ".lora_A.weight").data(), 0, 1e6f);
        Path adapter = t.write(dir.resolve("a"), TestAdapters.config(2, 2), FileDType.F16);
        try (LoraAdapter a = LoraAdapter.open(adapter)) {
            InputException e = assertThrows(InputException.class, () -> a.loadA(a.module(Q).orElseThrow(), arena));
            assertTrue(e.getMessage().contains("Infinity at [0, 0]"), e.getMessage());
        }
    }

    @ParameterizedTest
    @EnumSource(value = FileDType.class, names = {"F32", "F16", "BF16"})
    void writesAMergedAdapterThatReadsBackWithScalingOne(FileDType dtype) throws IOException {
        TestAdapters source = new TestAdapters(arena, 7).linear(Q, 4, 5, 6).embedding("embed", 4, 9, 5);
        Path input = source.write(dir.resolve("in"), TestAdapters.config(4, 8, "\"use_rslora\": true",
                "\"task_type\": \"CAUSAL_LM\"", "\"rank_pattern\": {}"), FileDType.F32);
        Path output = dir.resolve("out");
        try (LoraAdapter in = LoraAdapter.open(input);
             AtomicOutput out = AtomicOutput.begin(output, false)) {
            try (LoraAdapterWriter writer = LoraAdapterWriter.create(out.directory(), in.config(), in.modules(), dtype)) {
                for (LoraModule m : in.modules()) writer.write(m.name(), in.loadA(m, arena), in.loadB(m, arena));
                writer.finish();
            }
            out.commit();
        }
        try (LoraAdapter merged = LoraAdapter.open(output)) {
            assertEquals(4, merged.config().r());
            assertEquals(4.0, merged.config().loraAlpha());
            assertEquals(false, merged.config().useRslora());
            assertEquals("CAUSAL_LM", merged.config().raw().get("task_type").textValue());
            assertEquals("tiny/base", merged.config().baseModelNameOrPath().orElseThrow());
            for (LoraModule m : merged.modules()) {
                assertEquals(1.0, m.scaling());
                assertEquals(dtype, m.dtype());
                float[] expected = values(source, m.aKey());
                float[] actual = FloatSegments.toArray(merged.loadA(m, arena), 0, expected.length);
                for (int i = 0; i < expected.length; i++) {
                    float rounded = switch (dtype) {
                        case F16 -> HalfFloats.f16ToFloat(HalfFloats.floatToF16(expected[i]));
                        case BF16 -> HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(expected[i]));
                        default -> expected[i];
                    };
                    assertEquals(Float.floatToRawIntBits(rounded), Float.floatToRawIntBits(actual[i]), m.aKey());
                }
            }
            assertEquals(List.of("embed", Q), merged.modules().stream().map(LoraModule::name).toList());
        }
    }

    @Test
    void writerRefusesToFinishWithModulesMissing() throws IOException {
        AdapterConfig config = AdapterConfig.parse(TestAdapters.config(2, 2).getBytes(), "cfg");
        List<LoraModule> modules = List.of(new LoraModule(Q, LoraModule.Kind.LINEAR, 2, 3, 4, 1, FileDType.F32),
                new LoraModule(V, LoraModule.Kind.LINEAR, 2, 3, 4, 1, FileDType.F32));
        Path output = dir.resolve("out");
        assertThrows(IllegalStateException.class, () -> {
            try (AtomicOutput out = AtomicOutput.begin(output, false);
                 LoraAdapterWriter writer = LoraAdapterWriter.create(out.directory(), config, modules, FileDType.F32)) {
                writer.write(Q, FloatSegments.allocate(arena, 6), FloatSegments.allocate(arena, 8));
                writer.finish();
                out.commit();
            }
        });
        assertTrue(Files.notExists(output));
        try (var list = Files.list(dir)) {
            assertEquals(0, list.count(), "no partial output left behind");
        }
    }

    @Test
    void weightsFileOfAMergedAdapterCarriesPeftMetadata() throws IOException {
        AdapterConfig config = AdapterConfig.parse(TestAdapters.config(2, 2).getBytes(), "cfg");
        LoraModule q = new LoraModule(Q, LoraModule.Kind.LINEAR, 2, 3, 4, 1, FileDType.F32);
        Path out = Files.createDirectory(dir.resolve("direct"));
        try (LoraAdapterWriter writer = LoraAdapterWriter.create(out, config, List.of(q), FileDType.F32)) {
            writer.write(Q, FloatSegments.of(arena, 1, 2, 3, 4, 5, 6), FloatSegments.allocate(arena, 8));
            writer.finish();
        }
        try (SafetensorsFile f = Safetensors.open(out.resolve(LoraAdapter.WEIGHTS_FILE))) {
            assertEquals(Map.of("format", "pt"), f.metadata());
            assertArrayEquals(new long[] {2, 3}, f.tensor(q.aKey()).orElseThrow().shape());
            assertArrayEquals(new long[] {4, 2}, f.tensor(q.bKey()).orElseThrow().shape());
        }
    }
}
