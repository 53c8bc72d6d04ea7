package amalgam.merge.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import amalgam.engine.InputException;
import amalgam.merge.adapter.AdapterConfig;
import amalgam.engine.io.SafetensorsFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fuzz targets' heap bounds at sizes the fuzzer never reaches (its inputs are kilobytes): megabyte headers and
 * configs built to be expensive, where a cost that grows faster than the input would show.
 */
class LargeInputHeapTest {

    @TempDir
    Path dir;

    /** Long, distinct names once made Jackson's name table grow in fixed steps, copying itself each time. */
    @Test
    void headerOfManyLongTensorNamesStaysWithinTheHeaderBound() throws IOException {
        StringBuilder json = new StringBuilder("{");
        for (int i = 0; i < 20_000; i++) {
            if (i > 0) json.append(',');
            json.append('"').append("n".repeat(200)).append(i)
                    .append("\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}");
        }
        byte[] header = json.append('}').toString().getBytes(StandardCharsets.UTF_8);
        Path file = dir.resolve("names.safetensors");
        Files.write(file, ByteBuffer.allocate(8 + header.length).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(header.length).put(header).array());

        long heap = HeapAllocations.steadyState(() -> {
            try (SafetensorsFile weights = SafetensorsFile.open(file)) {
                assertEquals(20_000, weights.tensors().size());
            }
        });
        FuzzBounds.assertHeapWithin(heap, FuzzBounds.HEADER_HEAP_FACTOR * header.length,
                FuzzBounds.HEADER_HEAP_FACTOR + " × " + header.length + " header bytes");
    }

    @Test
    void configOfManyPatternKeysStaysWithinTheConfigBound() {
        StringBuilder json = new StringBuilder("{\"r\": 8, \"lora_alpha\": 16, \"rank_pattern\": {");
        for (int i = 0; i < 50_000; i++) json.append(i == 0 ? "" : ",").append("\"m").append(i).append("\":4");
        byte[] config = json.append("}}").toString().getBytes(StandardCharsets.UTF_8);

        long heap = HeapAllocations.steadyState(() -> {
            AdapterConfig parsed = AdapterConfig.parse(config, "big/adapter_config.json");
            assertEquals(4, parsed.rankFor("model.layers.0.m49999"));
        });
        FuzzBounds.assertHeapWithin(heap, FuzzBounds.CONFIG_HEAP_FACTOR * config.length,
                FuzzBounds.CONFIG_HEAP_FACTOR + " × " + config.length + " config bytes");
    }

    @Test
    void configOverTheSizeCapIsRefusedBeforeParsing() throws IOException {
        Path file = dir.resolve(AdapterConfig.FILE_NAME);
        Files.write(file, ("{\"r\": 8, \"lora_alpha\": 16, \"pad\": \"" + "x".repeat(4 << 20) + "\"}")
                .getBytes(StandardCharsets.UTF_8));
        InputException e = assertThrows(InputException.class,
                () -> AdapterConfig.read(file));
        assertEquals(file + ": is " + Files.size(file) + " bytes; an adapter config is a few kilobytes",
                e.getMessage());
    }
}
