package amalgam.merge.cli;

import amalgam.engine.DType;
import amalgam.engine.nn.TinyViT;
import amalgam.merge.adapter.TestAdapters;
import amalgam.merge.adaptive.TinyVitCheckpoint;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

import java.io.DataOutputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code amalgam train-coefficients} end to end on a random TinyViT, two small adapters and a 20-image buffer. */
class TrainCoefficientsCommandTest {

    @TempDir
    Path dir;

    @Test
    void learnsWeightsAndWritesTheMergedAdapter() throws Exception {
        String[] inputs = inputs();
        Path out = dir.resolve("learned");
        MergeRuns.Run run = MergeRuns.run(concat(inputs, "--method", "ties", "--b-max", "3", "--steps", "15", "--lr", "0.01", "--rank", "6",
                "--threads", "2", "--out", out.toString()));
        assertEquals(0, run.exitCode(), run.err());
        JsonNode json = new ObjectMapper().readTree(out.resolve("coefficients.json").toFile());
        assertEquals(2, json.get("weights").size());
        for (JsonNode w : json.get("weights")) assertTrue(w.get(0).asDouble() > 0 && w.get(0).asDouble() < 3, json.toString());
        assertTrue(json.get("loss").get("after").asDouble() <= json.get("loss").get("before").asDouble(), json.toString());
        assertTrue(Files.size(out.resolve("adapter").resolve("adapter_model.safetensors")) > 0);
        JsonNode config = new ObjectMapper().readTree(out.resolve("adapter").resolve("adapter_config.json").toFile());
        assertEquals(6, config.get("r").asInt());

        MergeRuns.Run again = MergeRuns.run(concat(inputs, "--steps", "1", "--out", out.toString()));
        assertEquals(2, again.exitCode());
        assertTrue(again.err().contains("already exists"), again.err());
    }

    @Test
    void moduleGranularityWritesCoefficientsOnly() throws Exception {
        Path out = dir.resolve("per-module");
        MergeRuns.Run run = MergeRuns.run(concat(inputs(), "--granularity", "module", "--method", "task_arithmetic",
                "--steps", "2", "--out", out.toString()));
        assertEquals(0, run.exitCode(), run.err());
        JsonNode json = new ObjectMapper().readTree(out.resolve("coefficients.json").toFile());
        assertEquals(2, json.get("weights").get(0).size()); // two adapted modules
        assertTrue(json.get("merged_adapter").isNull());
        assertTrue(Files.notExists(out.resolve("adapter")));
    }

    @Test
    void cmaEsSearchesTheWeightsWithinTheirBounds() throws Exception {
        Path out = dir.resolve("lorahub");
        MergeRuns.Run run = MergeRuns.run(concat(inputs(), "--optimizer", "cma-es", "--method", "task_arithmetic",
                "--out", out.toString()));
        assertEquals(0, run.exitCode(), run.err());
        JsonNode json = new ObjectMapper().readTree(out.resolve("coefficients.json").toFile());
        assertEquals("cma-es", json.get("optimizer").asText());
        for (JsonNode w : json.get("weights")) assertTrue(Math.abs(w.get(0).asDouble()) <= 1.5, json.toString());
        // The search keeps the best point it evaluated, and it evaluates w = 0 first.
        assertTrue(json.get("loss").get("after").asDouble() <= json.get("loss").get("before").asDouble() + 0.05 * 1.5,
                json.toString());
        assertTrue(Files.exists(out.resolve("adapter").resolve("adapter_model.safetensors")));
    }

    @Test
    void aBaseThatIsNotATinyViTIsAOneLineError() throws Exception {
        String[] inputs = inputs();
        Path notAModel = dir.resolve("a1").resolve("adapter_model.safetensors");
        inputs[2] = notAModel.toString();
        MergeRuns.Run run = MergeRuns.run(concat(inputs, "--out", dir.resolve("x").toString()));
        assertEquals(2, run.exitCode());
        assertTrue(run.err().contains("not a TinyViT checkpoint"), run.err());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "--density 2   | --density | [0, 1]",
            "--density NaN | --density | NaN",
            "--lr NaN      | --lr      | NaN",
            "--lr 0        | --lr      | above 0",
            "--lr Infinity | --lr      | finite",
    })
    void badTrainingOptionsAreRefusedBeforeTraining(String options, String option, String detail) throws Exception {
        Path out = dir.resolve("refused");
        MergeRuns.Run run = MergeRuns.run(concat(concat(inputs(), "--out", out.toString()), options.trim().split(" +")));
        assertEquals(2, run.exitCode(), run.err());
        // One line and nothing else: the model was not even loaded, let alone trained.
        assertEquals(1, run.err().strip().lines().count(), run.err());
        assertTrue(run.err().startsWith("amalgam: error: " + option.trim() + ": ") && run.err().contains(detail.trim()),
                run.err());
        assertTrue(Files.notExists(out));
    }

    @Test
    void labelsOutOfRangeOrMiscountedAreOneLineNamingTheFile() throws Exception {
        String[] inputs = inputs();
        Path wide = dir.resolve("labels-wide");
        writeIdx(wide, new int[] {20}, 200);
        Path few = dir.resolve("labels-few");
        writeIdx(few, new int[] {19}, 10);
        for (Path labels : List.of(wide, few)) {
            inputs[6] = labels.toString();
            Path out = dir.resolve("out-" + labels.getFileName());
            MergeRuns.Run run = MergeRuns.run(concat(inputs, "--steps", "1", "--out", out.toString()));
            assertEquals(2, run.exitCode(), run.err());
            assertTrue(run.err().contains("amalgam: error: ") && run.err().contains(labels.toString()), run.err());
            assertTrue(Files.notExists(out));
        }
    }

    /** --base, the buffer options and two adapter directories. */
    private String[] inputs() throws IOException {
        Path base = dir.resolve("vit.safetensors");
        if (Files.notExists(base)) {
            TinyVitCheckpoint.write(new TinyViT(DType.F32, new Random(5)).namedParameters(), base);
            for (int i = 1; i <= 2; i++) {
                try (Arena arena = Arena.ofConfined()) {
                    new TestAdapters(arena, i).linear("blocks.0.attn.qkv", 4, 64, 192).linear("blocks.1.attn.proj", 4, 64, 64)
                            .write(dir.resolve("a" + i), TestAdapters.config(4, 8), amalgam.engine.io.FileDType.F32);
                }
            }
            writeIdx(dir.resolve("images"), new int[] {20, 28, 28}, 7);
            writeIdx(dir.resolve("labels"), new int[] {20}, 10);
        }
        return new String[] {"train-coefficients", "--base", base.toString(), "--buffer-images", dir.resolve("images").toString(),
                "--buffer-labels", dir.resolve("labels").toString(), dir.resolve("a1").toString(), dir.resolve("a2").toString()};
    }

    /** An IDX file of unsigned bytes: random values below {@code bound}. */
    private static void writeIdx(Path file, int[] dims, int bound) throws IOException {
        Random random = new Random(dims.length);
        try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(file))) {
            out.writeInt(0x0800 | dims.length);
            int n = 1;
            for (int d : dims) {
                out.writeInt(d);
                n *= d;
            }
            for (int i = 0; i < n; i++) out.writeByte(bound == 7 ? random.nextInt(256) : random.nextInt(bound));
        }
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
