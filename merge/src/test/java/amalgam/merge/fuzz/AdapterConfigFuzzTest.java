package amalgam.merge.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;

import amalgam.engine.InputException;
import amalgam.merge.adapter.AdapterConfig;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.List;
import java.util.Map;

/**
 * Coverage-guided fuzzing of the {@code adapter_config.json} parser: the fuzzer's bytes are the whole config,
 * which is parsed and then asked everything a merge asks of it (ranks, alphas and scalings through rank_pattern
 * and alpha_pattern, target_modules, the merged adapter's config).
 *
 * <p>Properties: (1) the only exception that escapes is {@link InputException}, with a one-line message;
 * (2) the heap allocated stays within {@link FuzzBounds#CONFIG_HEAP_FACTOR} times the input plus
 * {@link FuzzBounds#HEAP_SLACK_BYTES}: the config is kept as a JSON tree (so that unknown fields are written back
 * unchanged), and a tree costs a fixed multiple of its text, not the input plus a constant; the parser's size cap
 * then bounds the total.
 *
 * <p>A plain {@code mvn test} replays the committed inputs under
 * {@code src/test/resources/amalgam/merge/fuzz/AdapterConfigFuzzTestInputs/parseAndQuery/}. To fuzz, from the
 * repository root (see docs/fuzzing.md):
 * <pre>
 * JAZZER_FUZZ=1 mvn -o -pl merge -am test -Dtest=AdapterConfigFuzzTest -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Djazzer.max_duration=5m
 * </pre>
 */
class AdapterConfigFuzzTest {

    /** Names shaped like real PEFT module paths, for the patterns to match or miss. */
    private static final List<String> MODULES = List.of("model.layers.0.self_attn.q_proj",
            "model.layers.11.mlp.down_proj", "lm_head", "q_proj", "");

    // The config's vocabulary, so that mutations spend their time past the JSON syntax.
    @DictionaryEntries({
            "\"r\"", "\"lora_alpha\"", "\"rank_pattern\"", "\"alpha_pattern\"", "\"use_rslora\"", "\"use_dora\"",
            "\"peft_type\"", "\"LORA\"", "\"target_modules\"", "\"fan_in_fan_out\"", "\"base_model_name_or_path\"",
            "q_proj", "layers\\."})
    @FuzzTest(maxDuration = "2m")
    void parseAndQuery(byte[] json) {
        long heap = HeapAllocations.steadyState(() -> parseAndQueryOnce(json));
        FuzzBounds.assertHeapWithin(heap, FuzzBounds.CONFIG_HEAP_FACTOR * json.length,
                FuzzBounds.CONFIG_HEAP_FACTOR + " × " + json.length + " config bytes");
    }

    private static void parseAndQueryOnce(byte[] json) {
        try {
            AdapterConfig config = AdapterConfig.parse(json, "fuzz/adapter_config.json");
            for (String module : MODULES) {
                int rank = config.rankFor(module);
                assertTrue(rank >= 1, () -> "rank " + rank + " for " + module);
                double scaling = config.scalingFor(module, rank);
                assertTrue(Double.isFinite(scaling), () -> "scaling " + scaling + " for " + module);
                config.rankPatternKeyFor(module);
            }
            config.targetModules();
            config.mergedJson(Map.of(MODULES.get(0), config.r(), MODULES.get(1), 3));
        } catch (InputException e) {
            FuzzBounds.assertOneLine(e);
        }
    }
}
