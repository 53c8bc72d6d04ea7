package amalgam.merge.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import amalgam.kernels.FloatSegments;
import amalgam.merge.adapter.AdapterConfig;
import amalgam.merge.adapter.LoraAdapter;
import amalgam.merge.adapter.LoraModule;
import amalgam.merge.adapter.TestAdapters;
import amalgam.merge.algorithms.LowRankUpdate;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Adapter files past 2 and 4 GiB, where an int offset or a ByteBuffer-sized mapping would break: a 5 GiB
 * {@code modules_to_save}-style tensor (a sparse hole in the file, so it costs no disk, and the merge never reads
 * it — only the recipe's SHA-256 of the whole file does) sits in
 * front of the LoRA factors, which are loaded, inspected and merged from beyond the 5 GiB mark.
 */
class AdapterBeyondFourGibibytesTest {

    private static final String Q = "model.layers.0.self_attn.q_proj";
    private static final long PADDING_BYTES = 5L << 30;
    private static final String PADDING = "base_model.model.lm_head.weight";
    private static final int RANK = 2;
    private static final int IN = 3;
    private static final int OUT = 4;

    @TempDir
    Path dir;

    @Test
    void factorsBeyondFiveGibibytesLoadAsWritten() throws IOException {
        float[] a = {1, -2, 3.5f, 0.25f, 5, -6};
        float[] b = {1, 2, 3, 4, 5, 6, 7, 8};
        Path adapter = write(dir.resolve("big"), a, b);
        assertTrue(Files.size(adapter.resolve(LoraAdapter.WEIGHTS_FILE)) > PADDING_BYTES);

        try (LoraAdapter opened = LoraAdapter.open(adapter); Arena arena = Arena.ofConfined()) {
            LoraModule m = opened.module(Q).orElseThrow();
            assertTrue(opened.tensorA(m).begin() > PADDING_BYTES - 1, "A is not beyond the padding");
            assertEquals(List.of(PADDING), opened.extraTensors());
            assertArrayEquals(a, FloatSegments.toArray(opened.loadA(m, arena), 0, a.length));
            assertArrayEquals(b, FloatSegments.toArray(opened.loadB(m, arena), 0, b.length));
        }
    }

    @Test
    void adaptersBeyondFiveGibibytesMergeAndInspect() throws IOException {
        Path first = write(dir.resolve("first"), new float[] {1, 0, 0, 0, 1, 0}, new float[] {1, 0, 0, 1, 0, 0, 0, 0});
        // Only one adapter may save lm_head (two saved copies are refused): the second one's factors come first.
        Path second = write(dir.resolve("second"), new float[] {0, 0, 1, 0, 0, 0}, new float[] {0, 0, 0, 0, 2, 0, 0, 0},
                0);
        Path out = dir.resolve("merged");

        MergeRuns.Run merge = MergeRuns.merge(out, List.of(first, second), "--method", "cat", "--weights", "1,-1");
        assertEquals(0, merge.exitCode(), merge.err());
        try (LoraAdapter merged = LoraAdapter.open(out)) {
            // Carried over whole; the copy skips zero chunks, so the hole stays a hole in the output.
            assertEquals(List.of(PADDING), merged.extraTensors());
            assertEquals(PADDING_BYTES, merged.extraTensor(PADDING).byteSize());
        }
        try (Arena arena = Arena.ofConfined()) {
            LowRankUpdate merged = MergeRuns.updates(out, arena).get(Q);
            // B1·A1 puts rows (1,0,0) and (0,1,0) in rows 0 and 1; B2·A2 puts 2·(0,0,1) in row 2, subtracted.
            double[] expected = {1, 0, 0, 0, 1, 0, 0, 0, -2, 0, 0, 0};
            MergeRuns.assertDeltaEquals(expected, MergeRuns.delta(merged), 1e-7, "cat of adapters beyond 5 GiB");
        }

        MergeRuns.Run inspect = MergeRuns.run("inspect", first.toString());
        assertEquals(0, inspect.exitCode(), inspect.err());
        assertTrue(inspect.out().contains("not LoRA     " + PADDING + " (copied by merges)"), inspect.out());
    }

    /**
     * An adapter whose weights file holds a {@link #PADDING_BYTES} F32 tensor at offset 0, then lora_A
     * ({@link #RANK}×{@link #IN}) and lora_B ({@link #OUT}×{@link #RANK}); only the header and the factors are
     * written, so the padding stays a hole.
     */
    private static Path write(Path dir, float[] a, float[] b) throws IOException {
        return write(dir, a, b, PADDING_BYTES);
    }

    /** As {@link #write(Path, float[], float[])} with {@code padding} bytes of lm_head, or none when 0. */
    private static Path write(Path dir, float[] a, float[] b, long padding) throws IOException {
        String aKey = LoraModule.KEY_PREFIX + Q + ".lora_A.weight";
        String bKey = LoraModule.KEY_PREFIX + Q + ".lora_B.weight";
        long aEnd = padding + 4L * a.length;
        List<String> entries = new java.util.ArrayList<>();
        if (padding > 0) entries.add(entry(PADDING, "[" + padding / 4 + "]", 0, padding));
        entries.add(entry(aKey, "[" + RANK + "," + IN + "]", padding, aEnd));
        entries.add(entry(bKey, "[" + OUT + "," + RANK + "]", aEnd, aEnd + 4L * b.length));
        String header = "{" + String.join(",", entries) + "}";
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer start = ByteBuffer.allocate(8 + json.length).order(ByteOrder.LITTLE_ENDIAN).putLong(json.length)
                .put(json).flip();
        ByteBuffer factors = ByteBuffer.allocate(4 * (a.length + b.length)).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : a) factors.putFloat(v);
        for (float v : b) factors.putFloat(v);
        factors.flip();

        Files.createDirectories(dir);
        try (FileChannel channel = FileChannel.open(dir.resolve(LoraAdapter.WEIGHTS_FILE), StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE, StandardOpenOption.SPARSE)) {
            writeFully(channel, start, 0);
            writeFully(channel, factors, 8 + json.length + padding);
        }
        Files.writeString(dir.resolve(AdapterConfig.FILE_NAME), TestAdapters.config(RANK, RANK));
        return dir;
    }

    private static String entry(String name, String shape, long begin, long end) {
        return "\"" + name + "\":{\"dtype\":\"F32\",\"shape\":" + shape + ",\"data_offsets\":[" + begin + "," + end
                + "]}";
    }

    private static void writeFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        while (buffer.hasRemaining()) position += channel.write(buffer, position);
    }
}
