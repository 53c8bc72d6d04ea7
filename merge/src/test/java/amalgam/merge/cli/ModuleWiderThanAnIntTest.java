package amalgam.merge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import amalgam.engine.io.HalfFloats;
import amalgam.merge.adapter.AdapterConfig;
import amalgam.merge.adapter.LoraAdapter;
import amalgam.merge.adapter.LoraModule;
import amalgam.merge.adapter.TestAdapters;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A legal module wider than an int: lora_A of [1, 2³¹] in BF16 (4 GiB, a sparse file holding three nonzero
 * entries, the last one beyond element 2³¹ − 1). Inspect reads it in blocks (it used to load all of it as 8 GB of
 * fp32); merge refuses it in one line before writing (it used to fail mid-merge with an int overflow).
 */
class ModuleWiderThanAnIntTest {

    private static final String Q = "model.layers.0.self_attn.q_proj";
    private static final long IN = 1L << 31;
    /** Entries of A at 0, 2³⁰ and 2³¹ − 1, and of B: |A|_F = 13, |B|_F = 5, |BA|_F = 65 at scaling 1. */
    private static final long[] A_AT = {0, 1L << 30, IN - 1};
    private static final float[] A_VALUES = {3, 4, 12};
    private static final float[] B_VALUES = {3, 4};

    @TempDir
    static Path dir;
    private static Path adapter;

    @BeforeAll
    static void writeTheAdapter() throws IOException {
        adapter = Files.createDirectories(dir.resolve("wide"));
        String aKey = LoraModule.KEY_PREFIX + Q + ".lora_A.weight", bKey = LoraModule.KEY_PREFIX + Q + ".lora_B.weight";
        long aBytes = 2 * IN;
        String header = "{\"" + aKey + "\":{\"dtype\":\"BF16\",\"shape\":[1," + IN + "],\"data_offsets\":[0," + aBytes
                + "]},\"" + bKey + "\":{\"dtype\":\"BF16\",\"shape\":[2,1],\"data_offsets\":[" + aBytes + ","
                + (aBytes + 4) + "]}}";
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        long data = 8 + json.length;
        try (FileChannel channel = FileChannel.open(adapter.resolve(LoraAdapter.WEIGHTS_FILE),
                StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.SPARSE)) {
            channel.write(ByteBuffer.allocate(8 + json.length).order(ByteOrder.LITTLE_ENDIAN).putLong(json.length)
                    .put(json).flip(), 0);
            for (int i = 0; i < A_AT.length; i++) channel.write(bf16(A_VALUES[i]), data + 2 * A_AT[i]);
            channel.write(bf16(B_VALUES[0]), data + aBytes);
            channel.write(bf16(B_VALUES[1]), data + aBytes + 2);
        }
        Files.writeString(adapter.resolve(AdapterConfig.FILE_NAME), TestAdapters.config(1, 1));
    }

    @Test
    void inspectReadsItInBlocksAndPrintsItsNorms() {
        MergeRuns.Run run = MergeRuns.run("inspect", adapter.toString());
        assertEquals(0, run.exitCode(), run.err());
        String row = run.out().lines().filter(l -> l.startsWith(Q)).findFirst().orElseThrow();
        List<String> cells = Arrays.asList(row.trim().split("\\s{2,}"));
        assertEquals(List.of(Q, "linear", "2 x " + IN, "1", "1", "BF16", "13", "5", "65"), cells, row);
    }

    @Test
    void inspectJsonGivesItsNormsAndSaysOnStderrWhyItHasNoSpectrum() throws IOException {
        MergeRuns.Run run = MergeRuns.run("inspect", "--json", adapter.toString());
        assertEquals(0, run.exitCode(), run.err());
        JsonNode module = new ObjectMapper().readTree(run.out()).get("modules").get(0);
        assertEquals(IN, module.get("in_features").asLong());
        assertEquals(65, module.get("norm_delta").asDouble(), 1e-6);
        assertTrue(module.get("singular_values").isNull(), module.toString());
        assertTrue(module.get("no_singular_values").asText().contains("wider than 2^31 - 1"), module.toString());
        assertEquals(List.of("amalgam: warning: no singular values for module '" + Q + "': it is 2 x " + IN
                + ", wider than 2^31 - 1"), run.err().lines().toList());
    }

    @Test
    void inspectCompareListsItAsTooWideToCompare() throws IOException {
        MergeRuns.Run run = MergeRuns.run("inspect", "--json", adapter.toString(), adapter.toString());
        assertEquals(0, run.exitCode(), run.err());
        JsonNode json = new ObjectMapper().readTree(run.out());
        assertEquals("too_wide", json.get("modules").get(0).get("status").asText());
        assertEquals(1, json.get("summary").get("too_wide").asInt());
        assertEquals(0, json.get("summary").get("pairs").get(0).get("modules").asInt());
    }

    @Test
    void mergeRefusesItInOneLineNamingTheModuleBeforeWriting() throws IOException {
        Path out = dir.resolve("merged");
        MergeRuns.Run run = MergeRuns.merge(out, List.of(adapter, adapter), "--method", "cat");
        assertEquals(2, run.exitCode(), run.err());
        assertEquals(1, run.err().strip().lines().count(), run.err());
        assertTrue(run.err().startsWith("amalgam: error: " + adapter + ": module '" + Q + "': is 2 × " + IN), run.err());
        MergeRuns.assertNoOutput(out);
    }

    private static ByteBuffer bf16(float value) {
        return ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN).putShort(HalfFloats.floatToBf16(value)).flip();
    }
}
