package amalgam.merge.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;

import amalgam.engine.InputException;
import amalgam.merge.adapter.AdapterConfig;
import amalgam.merge.adapter.LoraAdapter;
import amalgam.merge.adapter.LoraModule;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.io.TempDir;

/**
 * Coverage-guided fuzzing of a whole adapter directory: config and weights together, so that the fuzzer reaches
 * the checks between them (factor pairs, ranks against r and rank_pattern, 2-D shapes, non-finite weights) and
 * not only each parser alone.
 *
 * <p>Input layout: two bytes little-endian give the config's length n; the next n bytes (fewer if the input ends)
 * are {@code adapter_config.json}; the rest is {@code adapter_model.safetensors}. Properties as in
 * {@link SafetensorsFuzzTest} and {@link AdapterConfigFuzzTest}: only {@link InputException} escapes; heap within
 * the config's and the header's factors times their sizes plus the slack (nothing for the weights' data); each
 * factor load takes exactly its fp32 size off-heap.
 *
 * <p>A plain {@code mvn test} replays the committed inputs under
 * {@code src/test/resources/amalgam/merge/fuzz/LoraAdapterFuzzTestInputs/openAndLoadEveryModule/}. To fuzz, from
 * the repository root (see docs/fuzzing.md):
 * <pre>
 * JAZZER_FUZZ=1 mvn -o -pl merge -am test -Dtest=LoraAdapterFuzzTest -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Djazzer.max_duration=5m
 * </pre>
 */
class LoraAdapterFuzzTest {

    @TempDir
    static Path dir;

    // Both files' vocabulary and PEFT's key names, so that mutations reach the checks between them.
    @DictionaryEntries({
            "\"r\"", "\"lora_alpha\"", "\"rank_pattern\"", "\"alpha_pattern\"", "\"use_rslora\"", "\"use_dora\"",
            "\"peft_type\"", "\"LORA\"", "\"target_modules\"", "\"fan_in_fan_out\"", "\"base_model_name_or_path\"",
            "q_proj", "layers\\.", "\"dtype\"", "\"shape\"", "\"data_offsets\"", "\"__metadata__\"", "\"F32\"",
            "\"F16\"", "\"BF16\"", "\"F64\"", "\"I8\"", "base_model.model.", ".lora_A.weight", ".lora_B.weight",
            ".lora_embedding_A", ".lora_embedding_B", "lora_magnitude_vector"})
    @FuzzTest(maxDuration = "2m")
    void openAndLoadEveryModule(byte[] input) throws IOException {
        int configLength = input.length < 2 ? 0
                : Math.min(input.length - 2, (input[0] & 0xff) | (input[1] & 0xff) << 8);
        int weightsStart = Math.min(input.length, 2 + configLength);
        byte[] config = Arrays.copyOfRange(input, Math.min(2, input.length), weightsStart);
        byte[] weights = Arrays.copyOfRange(input, weightsStart, input.length);
        Files.write(dir.resolve(AdapterConfig.FILE_NAME), config);
        Files.write(dir.resolve(LoraAdapter.WEIGHTS_FILE), weights);
        long heap = HeapAllocations.steadyState(LoraAdapterFuzzTest::openAndLoadEveryModule);
        long header = FuzzBounds.headerBytes(weights);
        FuzzBounds.assertHeapWithin(heap,
                FuzzBounds.CONFIG_HEAP_FACTOR * config.length + FuzzBounds.HEADER_HEAP_FACTOR * header,
                FuzzBounds.CONFIG_HEAP_FACTOR + " × " + config.length + " config bytes + "
                        + FuzzBounds.HEADER_HEAP_FACTOR + " × " + header + " header bytes");
    }

    private static void openAndLoadEveryModule() {
        try (LoraAdapter adapter = LoraAdapter.open(dir)) {
            for (LoraModule module : adapter.modules()) {
                try (CountingArena arena = new CountingArena()) {
                    MemorySegment a = adapter.loadA(module, arena);
                    MemorySegment b = adapter.loadB(module, arena);
                    assertEquals(Float.BYTES * Math.max(1, module.rank() * module.inFeatures()), a.byteSize());
                    assertEquals(Float.BYTES * Math.max(1, module.outFeatures() * module.rank()), b.byteSize());
                    assertEquals(a.byteSize() + b.byteSize(), arena.allocatedBytes(), () -> "off-heap for " + module);
                }
            }
        } catch (InputException e) {
            FuzzBounds.assertOneLine(e);
        }
    }
}
