package amalgam.merge.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import amalgam.engine.InputException;
import amalgam.engine.io.SafetensorsFile;
import amalgam.engine.io.TensorInfo;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/**
 * Coverage-guided fuzzing of the safetensors reader: the fuzzer's bytes are a whole file, which is opened, and
 * every tensor in it loaded as fp32 and read back raw.
 *
 * <p>Properties: (1) the only exception that escapes is {@link InputException}, with a one-line message;
 * (2) the heap allocated while opening, loading and closing stays within {@link FuzzBounds#HEADER_HEAP_FACTOR}
 * times the header plus {@link FuzzBounds#HEAP_SLACK_BYTES}, with nothing for the data section, which is mapped;
 * (3) off-heap, each load takes exactly the fp32 size of its tensor — a shape already checked against the bytes
 * on disk, so at most twice the stored bytes for a 16-bit tensor and never anything the header merely claims —
 * and is freed before the next (a merge streams tensors the same way).
 *
 * <p>A plain {@code mvn test} replays the committed inputs under
 * {@code src/test/resources/amalgam/merge/fuzz/SafetensorsFuzzTestInputs/openAndReadEverything/}. To fuzz, from
 * the repository root (see docs/fuzzing.md):
 * <pre>
 * JAZZER_FUZZ=1 mvn -o -pl merge -am test -Dtest=SafetensorsFuzzTest -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Djazzer.max_duration=5m
 * </pre>
 */
class SafetensorsFuzzTest {

    @TempDir
    static Path dir;

    // The header's vocabulary, so that mutations spend their time past the JSON syntax.
    @DictionaryEntries({
            "\"dtype\"", "\"shape\"", "\"data_offsets\"", "\"__metadata__\"", "\"F32\"", "\"F16\"", "\"BF16\"",
            "\"F64\"", "\"I8\""})
    @FuzzTest(maxDuration = "2m")
    void openAndReadEverything(byte[] bytes) throws IOException {
        Path file = Files.write(dir.resolve("fuzz.safetensors"), bytes);
        long heap = HeapAllocations.steadyState(() -> openAndReadEverything(file));
        long header = FuzzBounds.headerBytes(bytes);
        FuzzBounds.assertHeapWithin(heap, FuzzBounds.HEADER_HEAP_FACTOR * header,
                FuzzBounds.HEADER_HEAP_FACTOR + " × " + header + " header bytes");
    }

    private static void openAndReadEverything(Path file) {
        try (SafetensorsFile weights = SafetensorsFile.open(file)) {
            for (TensorInfo tensor : weights.tensors()) readTensor(weights, tensor);
        } catch (InputException e) {
            FuzzBounds.assertOneLine(e);
        }
    }

    /** Loads {@code tensor} into its own arena, checks what that cost off-heap, and touches the raw bytes. */
    private static void readTensor(SafetensorsFile weights, TensorInfo tensor) {
        long fp32Bytes = Math.max(1, tensor.elementCount()) * Float.BYTES;
        assertTrue(fp32Bytes <= 2 * tensor.byteSize() + Float.BYTES,
                () -> tensor + " needs " + fp32Bytes + " fp32 bytes for " + tensor.byteSize() + " stored");
        try (CountingArena arena = new CountingArena()) {
            MemorySegment values = weights.load(tensor, arena);
            assertEquals(fp32Bytes, arena.allocatedBytes(), () -> "off-heap bytes allocated to load " + tensor);
            assertEquals(fp32Bytes, values.byteSize());
        }
        MemorySegment raw = weights.rawBytes(tensor);
        assertEquals(tensor.byteSize(), raw.byteSize());
        if (raw.byteSize() > 0) raw.get(ValueLayout.JAVA_BYTE, raw.byteSize() - 1);
    }
}
