package amalgam.merge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import amalgam.engine.io.FileDType;
import amalgam.engine.io.SafetensorsFile;
import amalgam.engine.io.TensorInfo;
import amalgam.merge.adapter.AdapterConfig;
import amalgam.merge.adapter.LoraAdapter;
import amalgam.merge.adapter.TestAdapters;
import amalgam.merge.algorithms.LowRankUpdate;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tensors besides the LoRA factors — a {@code modules_to_save} head, trainable-token deltas, a bias — are carried
 * into the merged adapter unchanged with the config fields PEFT loads them by; the same tensor saved by two
 * adapters is refused in one line, as PEFT refuses it. They used to be dropped while the config needing them was kept.
 */
class MergeSavedTensorsTest {

    private static final String HEAD = "base_model.model.classifier.weight";
    private static final String HEAD_BIAS = "base_model.model.classifier.bias";
    private static final String TOKENS = "base_model.model.model.embed_tokens.token_adapter.trainable_tokens_delta";

    @TempDir
    Path dir;

    @Test
    void eachSavedTensorIsCopiedFromItsAdapterAndItsConfigFieldsUnited() throws IOException {
        Path head = adapter("head", 1, FileDType.F32, Map.of(HEAD, new long[] {3, 6}, HEAD_BIAS, new long[] {3}),
                "\"modules_to_save\": [\"classifier\"]", "\"bias\": \"none\"");
        Path tokens = adapter("tokens", 2, FileDType.BF16, Map.of(TOKENS, new long[] {2, 6}),
                "\"trainable_token_indices\": {\"embed_tokens\": [1, 2]}", "\"bias\": \"lora_only\"");
        Path plainHead = adapter("plain-head", 1, FileDType.F32, Map.of(), "\"bias\": \"none\"");
        Path plainTokens = adapter("plain-tokens", 2, FileDType.BF16, Map.of(), "\"bias\": \"none\"");
        Path out = dir.resolve("merged"), plain = dir.resolve("merged-plain");

        MergeRuns.Run run = MergeRuns.merge(out, List.of(head, tokens), "--method", "ties", "--density", "0.5");
        assertEquals(0, run.exitCode(), run.err());
        assertEquals(0, MergeRuns.merge(plain, List.of(plainHead, plainTokens), "--method", "ties", "--density", "0.5")
                .exitCode());

        try (SafetensorsFile merged = SafetensorsFile.open(out.resolve(LoraAdapter.WEIGHTS_FILE))) {
            assertSameBytes(head, HEAD, merged);
            assertSameBytes(head, HEAD_BIAS, merged);
            assertSameBytes(tokens, TOKENS, merged);
        }
        JsonNode config = new ObjectMapper().readTree(out.resolve(AdapterConfig.FILE_NAME).toFile());
        assertEquals("[\"classifier\"]", config.get("modules_to_save").toString());
        assertEquals("{\"embed_tokens\":[1,2]}", config.get("trainable_token_indices").toString());
        assertEquals("lora_only", config.get("bias").asText());
        // The factors are what the same merge makes of the same factors without anything else saved.
        try (Arena arena = Arena.ofConfined()) {
            Map<String, LowRankUpdate> withSaved = MergeRuns.updates(out, arena);
            Map<String, LowRankUpdate> without = MergeRuns.updates(plain, arena);
            assertEquals(without.keySet(), withSaved.keySet());
            for (String module : without.keySet()) {
                MergeRuns.assertDeltaEquals(MergeRuns.delta(without.get(module)), MergeRuns.delta(withSaved.get(module)),
                        0, module);
            }
        }
    }

    @Test
    void theSameTensorSavedByTwoAdaptersIsRefusedNamingBoth() throws IOException {
        Path first = adapter("first", 1, FileDType.F32, Map.of(HEAD, new long[] {3, 6}), "\"modules_to_save\": [\"classifier\"]");
        Path second = adapter("second", 2, FileDType.F32, Map.of(HEAD, new long[] {3, 6}), "\"modules_to_save\": [\"classifier\"]");
        Path out = dir.resolve("merged");
        MergeRuns.Run run = MergeRuns.merge(out, List.of(first, second), "--method", "linear");
        run.assertBadInput("amalgam: error: " + second + ": tensor '" + HEAD + "': is saved by " + first + " too");
        MergeRuns.assertNoOutput(out);
    }

    @Test
    void tokensOfTheSameLayerTrainedByTwoAdaptersAreRefused() throws IOException {
        Path first = adapter("first", 1, FileDType.F32, Map.of(), "\"trainable_token_indices\": [1, 2]");
        Path second = adapter("second", 2, FileDType.F32, Map.of(), "\"trainable_token_indices\": {\"embed_tokens\": [3]}");
        Path out = dir.resolve("merged");
        MergeRuns.Run run = MergeRuns.merge(out, List.of(first, second), "--method", "linear");
        run.assertBadInput("amalgam: error: " + second.resolve(AdapterConfig.FILE_NAME) + ": trainable_token_indices");
        MergeRuns.assertNoOutput(out);
    }

    private static void assertSameBytes(Path adapter, String tensor, SafetensorsFile merged) {
        try (SafetensorsFile input = SafetensorsFile.open(adapter.resolve(LoraAdapter.WEIGHTS_FILE))) {
            TensorInfo expected = input.tensor(tensor).orElseThrow(), actual = merged.tensor(tensor).orElseThrow();
            assertEquals(expected.dtype(), actual.dtype(), tensor);
            assertEquals(expected.shapeString(), actual.shapeString(), tensor);
            assertEquals(-1, input.rawBytes(expected).mismatch(merged.rawBytes(actual)), tensor);
        }
    }

    /** q_proj and v_proj factors of rank 2 (seeded) plus {@code saved} Gaussian tensors, with config fields. */
    private Path adapter(String name, long seed, FileDType dtype, Map<String, long[]> saved, String... fields)
            throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            TestAdapters t = new TestAdapters(arena, seed).linear(MergeRuns.Q, 2, 6, 5).linear(MergeRuns.V, 2, 6, 4);
            TestAdapters extra = new TestAdapters(arena, seed + 100);
            saved.forEach(extra::tensor);
            t.tensors().putAll(extra.tensors());
            return t.write(dir.resolve(name), TestAdapters.config(2, 4, fields), dtype);
        }
    }
}
