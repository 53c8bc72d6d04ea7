package amalgam.merge.adapter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import amalgam.engine.InputException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

class AdapterConfigTest {

    @TempDir
    Path dir;

    private static AdapterConfig parse(String json) {
        return AdapterConfig.parse(json.getBytes(StandardCharsets.UTF_8), "cfg.json");
    }

    private static void assertRejected(String json, String... fragments) {
        InputException e = assertThrows(InputException.class, () -> parse(json));
        assertTrue(e.getMessage().startsWith("cfg.json: "), e.getMessage());
        for (String f : fragments) assertTrue(e.getMessage().contains(f), () -> e.getMessage() + " lacks " + f);
    }

    @Test
    void readsTheFieldsPeftWrites() {
        AdapterConfig c = parse(TestAdapters.config(8, 16, "\"fan_in_fan_out\": true", "\"use_rslora\": false",
                "\"lora_dropout\": 0.05", "\"task_type\": \"CAUSAL_LM\""));
        assertEquals(8, c.r());
        assertEquals(16.0, c.loraAlpha());
        assertFalse(c.useRslora());
        assertTrue(c.fanInFanOut());
        assertEquals(Optional.of("tiny/base"), c.baseModelNameOrPath());
        assertEquals(Optional.of("LORA"), c.peftType());
        assertEquals(List.of("q_proj", "v_proj"), c.targetModules());
        assertEquals(2.0, c.scalingFor("model.layers.0.q_proj", 8));
    }

    @Test
    void targetModulesAsASingleRegexString() {
        assertEquals(List.of(".*proj"), parse(TestAdapters.config(4, 4, "\"target_modules\": \".*proj\"")
                .replace("\"target_modules\": [\"q_proj\", \"v_proj\"], ", "")).targetModules());
    }

    @Test
    void rsloraScalesByTheSquareRootOfTheRank() {
        AdapterConfig c = parse(TestAdapters.config(16, 8, "\"use_rslora\": true"));
        assertEquals(2.0, c.scalingFor("any", 16), 0);
        assertEquals(8 / Math.sqrt(4), c.scalingFor("any", 4), 0);
    }

    @Test
    void rankAndAlphaPatternsMatchAsPeftDoes() {
        AdapterConfig c = parse(TestAdapters.config(8, 16,
                "\"rank_pattern\": {\"layers\\\\.0\\\\.self_attn\\\\.q_proj\": 4, \"v_proj\": 2, \"layers\\\\.[12]\\\\..*\": 6}",
                "\"alpha_pattern\": {\"model.layers.3.mlp.down_proj\": 3.5}"));
        // Exact trailing segments.
        assertEquals(4, c.rankFor("model.layers.0.self_attn.q_proj"));
        assertEquals(Optional.of("layers\\.0\\.self_attn\\.q_proj"),
                c.rankPatternKeyFor("model.layers.0.self_attn.q_proj"));
        // Plain suffix key: matches a whole last segment only.
        assertEquals(2, c.rankFor("model.layers.0.self_attn.v_proj"));
        assertEquals(8, c.rankFor("model.layers.0.self_attn.xv_proj"), "not a whole segment");
        // First key in config order wins: layer 1's v_proj is caught by "v_proj" before the range pattern.
        assertEquals(2, c.rankFor("model.layers.1.self_attn.v_proj"));
        assertEquals(6, c.rankFor("model.layers.1.self_attn.q_proj"));
        // A key that is the full module name matches it.
        assertEquals(3.5, c.alphaFor("model.layers.3.mlp.down_proj"));
        assertEquals(16.0, c.alphaFor("model.layers.3.mlp.up_proj"));
        assertEquals(Optional.empty(), c.rankPatternKeyFor("model.layers.5.mlp.up_proj"));
        // Scaling uses the pattern alpha and the actual rank.
        assertEquals(3.5 / 8, c.scalingFor("model.layers.3.mlp.down_proj", 8));
        assertTrue(c.hasRankPattern());
        assertTrue(c.hasAlphaPattern());
    }

    @Test
    void patternKeysAreAnchoredToTheEnd() {
        AdapterConfig c = parse(TestAdapters.config(8, 8, "\"rank_pattern\": {\"q_proj\": 4}"));
        assertEquals(8, c.rankFor("model.q_proj.inner"));
        assertEquals(4, c.rankFor("q_proj"));
    }

    @Test
    void missingR() {
        assertRejected("{\"lora_alpha\": 16}", "missing r");
    }

    @Test
    void missingLoraAlpha() {
        assertRejected("{\"r\": 16}", "missing lora_alpha");
    }

    @Test
    void rAsAString() {
        assertRejected("{\"r\": \"8\", \"lora_alpha\": 16}", "r must be a positive integer", "\"8\"");
    }

    @Test
    void rFractionalOrZero() {
        assertRejected("{\"r\": 8.5, \"lora_alpha\": 16}", "r must be a positive integer");
        assertRejected("{\"r\": 0, \"lora_alpha\": 16}", "r must be a positive integer");
    }

    @Test
    void alphaNotANumber() {
        assertRejected("{\"r\": 8, \"lora_alpha\": [16]}", "lora_alpha must be a finite number");
    }

    @Test
    void rsloraNotABoolean() {
        assertRejected("{\"r\": 8, \"lora_alpha\": 16, \"use_rslora\": \"yes\"}", "use_rslora must be true or false");
    }

    @Test
    void badRankPatternValue() {
        assertRejected("{\"r\": 8, \"lora_alpha\": 16, \"rank_pattern\": {\"q_proj\": -1}}", "rank_pattern['q_proj']");
    }

    @Test
    void rankPatternNotAnObject() {
        assertRejected("{\"r\": 8, \"lora_alpha\": 16, \"rank_pattern\": [1]}", "rank_pattern must be an object");
    }

    @Test
    void invalidRegexKey() {
        assertRejected("{\"r\": 8, \"lora_alpha\": 16, \"alpha_pattern\": {\"q_proj[\": 1}}", "alpha_pattern",
                "'q_proj['", "regular expression");
    }

    @Test
    void targetModulesOfWrongType() {
        assertRejected("{\"r\": 8, \"lora_alpha\": 16, \"target_modules\": 3}", "target_modules");
    }

    @Test
    void otherPeftTypes() {
        assertRejected("{\"peft_type\": \"LOHA\", \"r\": 8, \"lora_alpha\": 16}", "'LOHA'", "only LORA");
    }

    @Test
    void doraRefused() {
        assertRejected("{\"r\": 8, \"lora_alpha\": 16, \"use_dora\": true}", "DoRA");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
            "\"use_bdlora\": {\"target_modules_bd_a\": [\"o_proj\"], \"target_modules_bd_b\": [\"q_proj\"], \"nblocks\": 2}",
            "\"use_qalora\": true",
            "\"alora_invocation_tokens\": [5, 7]",
            "\"lora_bias\": true",
    })
    void loraVariantsWhoseFactorsMeanSomethingElseAreRefused(String field) {
        String name = field.substring(1, field.indexOf('"', 1));
        assertRejected(TestAdapters.config(8, 16, field), "cfg.json", name, "plain LoRA adapters only");
    }

    @Test
    void unusedVariantFieldsAsPeftWritesThemAreAccepted() {
        AdapterConfig c = parse(TestAdapters.config(8, 16, "\"use_bdlora\": null", "\"use_qalora\": false",
                "\"alora_invocation_tokens\": null", "\"lora_bias\": false"));
        assertEquals(8, c.r());
    }

    @Test
    void unreadableJson() {
        assertRejected("{\"r\": 8,", "not valid JSON");
        assertRejected("[]", "must be an object");
        assertRejected("", "empty JSON");
    }

    @Test
    void missingFileIsNamed() {
        Path file = dir.resolve("adapter_config.json");
        InputException e = assertThrows(InputException.class, () -> AdapterConfig.read(file));
        assertEquals(file + ": no such file", e.getMessage());
    }

    @Test
    void mergedConfigFoldsScalingAndKeepsEverythingElse() throws IOException {
        AdapterConfig c = parse(TestAdapters.config(8, 16, "\"use_rslora\": true", "\"rank_pattern\": {\"v_proj\": 4}",
                "\"alpha_pattern\": {\"v_proj\": 2}", "\"task_type\": \"CAUSAL_LM\"", "\"lora_dropout\": 0.1",
                "\"layers_to_transform\": [0, 1]"));
        ObjectNode merged = c.mergedJson(Map.of("m.0.q_proj", 12, "m.0.v_proj", 12));
        assertEquals(12, merged.get("r").intValue());
        assertEquals(12, merged.get("lora_alpha").intValue());
        assertFalse(merged.get("use_rslora").booleanValue());
        assertTrue(merged.get("rank_pattern").isEmpty());
        assertTrue(merged.get("alpha_pattern").isEmpty());
        assertEquals("CAUSAL_LM", merged.get("task_type").textValue());
        assertEquals(0.1, merged.get("lora_dropout").doubleValue());
        assertEquals("[0,1]", merged.get("layers_to_transform").toString());
        assertEquals("tiny/base", merged.get("base_model_name_or_path").textValue());
        assertEquals(8, c.raw().get("r").intValue(), "the template is not modified");

        // Written and read back, PEFT's scaling is 1 for every module.
        Path file = dir.resolve("merged.json");
        AdapterConfig.write(merged, file);
        AdapterConfig back = AdapterConfig.read(file);
        assertEquals(1.0, back.scalingFor("m.0.q_proj", back.rankFor("m.0.q_proj")));
        assertTrue(Files.readString(file).contains("\"task_type\""));
    }

    @Test
    void mergedConfigWithUnequalRanksPinsTheOddModulesExactly() {
        AdapterConfig c = parse(TestAdapters.config(8, 16));
        ObjectNode merged = c.mergedJson(Map.of("m.0.q_proj", 8, "m.1.q_proj", 8, "m.0.v_proj", 3));
        assertEquals(8, merged.get("r").intValue());
        AdapterConfig back = AdapterConfig.parse(merged.toString().getBytes(StandardCharsets.UTF_8), "merged");
        for (String module : List.of("m.0.q_proj", "m.1.q_proj", "m.0.v_proj", "x.m.0.q_proj")) {
            int rank = back.rankFor(module);
            assertEquals(1.0, back.scalingFor(module, rank), module);
        }
        assertEquals(3, back.rankFor("m.0.v_proj"));
        assertEquals(8, back.rankFor("m.0xv_proj"), "the escaped dot matches only a dot");
        assertEquals(8, back.rankFor("m.1.v_proj"));
    }
}
