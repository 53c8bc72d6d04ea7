package amalgam.merge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code amalgam train-coefficients --model} end to end on the transformers/PEFT fixtures: a Llama with a JSONL
 * buffer (plain texts and prompt/completion pairs) and a held-out split, a ViT with a class-folder buffer, and
 * the bad buffers a user writes, each refused in one line naming the file (and line) with nothing written.
 */
class TrainCoefficientsModelTest {

    static final Path HF = Path.of("../fixtures/hf");
    static final Path LLAMA = HF.resolve("llama-f32"), VIT = HF.resolve("vit-f32");

    @TempDir
    Path dir;

    @Test
    void decoderWithTextBuffer() throws IOException {
        Path buffer = write("buffer.jsonl", """
                {"text": "The licence grants every user the right to share the work."}
                {"prompt": "Question: what is shared? Answer:", "completion": " the work"}

                {"text": "Hello world, hello again.", "id": 3}
                """);
        Path eval = write("eval.jsonl", "{\"text\": \"The right to share.\"}\n");
        Path out = dir.resolve("learned");
        MergeRuns.Run run = MergeRuns.run(withLlamaAdapters("train-coefficients", "--model", LLAMA.toString(),
                "--buffer", buffer.toString(), "--eval", eval.toString(), "--method", "ties", "--steps", "8",
                "--threads", "2", "--out", out.toString()));
        assertEquals(0, run.exitCode(), run.err());
        JsonNode json = new ObjectMapper().readTree(out.resolve("coefficients.json").toFile());
        assertEquals(2, json.get("weights").size());
        assertEquals(3, json.get("buffer").get("examples").asInt());
        assertEquals(1, json.get("eval").get("examples").asInt());
        assertTrue(json.get("loss").get("after").asDouble() < json.get("loss").get("before").asDouble(), json.toString());
        assertTrue(json.get("eval").get("loss").get("before").isNumber(), json.toString());
        assertEquals(4, json.get("modules").size(), json.toString()); // q_proj and v_proj of two layers
        assertTrue(Files.size(out.resolve("adapter/adapter_model.safetensors")) > 0);
        assertTrue(run.out().contains("eval loss"), run.out());
    }

    @Test
    void vitWithImageFolderBuffer() throws IOException {
        Path images = Files.createDirectories(dir.resolve("images"));
        Files.createDirectories(images.resolve("fish"));
        Files.createDirectories(images.resolve("cat"));
        Files.copy(VIT.resolve("rgb.png"), images.resolve("fish/a.png"));
        Files.copy(VIT.resolve("photo.jpg"), images.resolve("fish/b.JPG"));
        Files.copy(VIT.resolve("rgb.png"), images.resolve("cat/c.png"));
        Files.writeString(images.resolve(".DS_Store"), "hidden files are skipped");
        Path out = dir.resolve("learned");
        MergeRuns.Run run = MergeRuns.run("train-coefficients", "--model", VIT.toString(), "--buffer", images.toString(),
                "--merge", "task_arithmetic", "--granularity", "module", "--steps", "5", "--out", out.toString(),
                VIT.resolve("adapters/lora_qv").toString(), VIT.resolve("adapters/lora_qv_v4names").toString());
        assertEquals(0, run.exitCode(), run.err());
        JsonNode json = new ObjectMapper().readTree(out.resolve("coefficients.json").toFile());
        assertEquals(3, json.get("buffer").get("examples").asInt());
        // Transformers-5 and transformers-4 adapter names land on the same four layers.
        assertEquals(4, json.get("modules").size(), json.toString());
        assertEquals(4, json.get("weights").get(0).size());
    }

    @Test
    void badTextBuffersNameTheFileAndLine() throws IOException {
        Path out = dir.resolve("never");
        String[][] cases = {
                {"empty.jsonl", "\n\n", "holds no examples"},
                {"broken.jsonl", "{\"text\": \"fine here\"}\n{\"text\": \"unterminated\n", "broken.jsonl:2", "not valid JSON"},
                {"keys.jsonl", "{\"prompt\": \"only a prompt\"}\n", "keys.jsonl:1", "completion"},
                {"number.jsonl", "{\"text\": 7}\n", "number.jsonl:1", "must be a string"},
                {"array.jsonl", "[1, 2]\n", "array.jsonl:1", "JSON object"},
                {"both.jsonl", "{\"text\": \"a b\", \"prompt\": \"a\", \"completion\": \"b\"}\n", "both.jsonl:1", "not both"},
                {"short.jsonl", "{\"text\": \"\"}\n", "short.jsonl:1", "at least 2"},
        };
        for (String[] c : cases) {
            Path buffer = write(c[0], c[1]);
            MergeRuns.run(withLlamaAdapters("train-coefficients", "--model", LLAMA.toString(), "--buffer",
                    buffer.toString(), "--steps", "1", "--out", out.toString()))
                    .assertBadInput(java.util.Arrays.copyOfRange(c, 2, c.length));
            assertTrue(Files.notExists(out), c[0]);
        }
        MergeRuns.run(withLlamaAdapters("train-coefficients", "--model", LLAMA.toString(), "--buffer",
                dir.toString(), "--out", out.toString())).assertBadInput(dir.toString(), "not a JSONL file");
        MergeRuns.run(withLlamaAdapters("train-coefficients", "--model", LLAMA.toString(), "--out", out.toString()))
                .assertBadInput("--buffer");
        MergeRuns.run(withLlamaAdapters("train-coefficients", "--model", LLAMA.toString(), "--buffer",
                write("ok.jsonl", "{\"text\": \"a b c\"}\n").toString(), "--objective", "entropy", "--out",
                out.toString())).assertBadInput("--objective");
        assertTrue(Files.notExists(out));
    }

    @Test
    void badImageBuffersNameTheFile() throws IOException {
        Path out = dir.resolve("never");
        Path unknownClass = Files.createDirectories(dir.resolve("unknown/zebra"));
        Files.copy(VIT.resolve("rgb.png"), unknownClass.resolve("a.png"));
        vitRun(dir.resolve("unknown"), out).assertBadInput(unknownClass.toString(), "id2label", "cat, dog");

        Path notImage = Files.createDirectories(dir.resolve("text/cat"));
        Files.writeString(notImage.resolve("notes.txt"), "not an image");
        vitRun(dir.resolve("text"), out).assertBadInput(notImage.resolve("notes.txt").toString(), "PNG or JPEG");

        Path fake = Files.createDirectories(dir.resolve("fake/dog"));
        Files.writeString(fake.resolve("fake.png"), "not a PNG inside");
        vitRun(dir.resolve("fake"), out).assertBadInput(fake.resolve("fake.png").toString());

        Files.createDirectories(dir.resolve("empty/cat"));
        vitRun(dir.resolve("empty"), out).assertBadInput("holds no images");
        vitRun(write("a.jsonl", "{\"text\": \"x\"}\n"), out).assertBadInput("a.jsonl", "is a file");
        assertTrue(Files.notExists(out));
    }

    @Test
    void adaptersTheMergeWouldRefuseAreRefusedBeforeTraining() {
        // Same layers, but PEFT names them differently in each: the merged adapter could not be written.
        Path out = dir.resolve("never");
        MergeRuns.run("train-coefficients", "--model", VIT.toString(), "--buffer", "../examples/buffers/vit-images",
                        "--out", out.toString(), VIT.resolve("adapters/lora_qv").toString(),
                        VIT.resolve("adapters/lora_qv_v4names").toString())
                .assertBadInput("same modules");
        assertTrue(Files.notExists(out));
    }

    private MergeRuns.Run vitRun(Path buffer, Path out) {
        return MergeRuns.run("train-coefficients", "--model", VIT.toString(), "--buffer", buffer.toString(),
                "--steps", "1", "--out", out.toString(), VIT.resolve("adapters/lora_qv").toString());
    }

    @Test
    void adaptersOfDifferentModulesAreRefusedBeforeTraining() throws IOException {
        Path out = dir.resolve("never");
        MergeRuns.run("train-coefficients", "--model", LLAMA.toString(), "--buffer",
                        write("ok.jsonl", "{\"text\": \"a b c\"}\n").toString(), "--out", out.toString(),
                        LLAMA.resolve("adapters/lora_qv").toString(), LLAMA.resolve("adapters/lora_mlp_rslora").toString())
                .assertBadInput("lora_mlp_rslora", "same modules");
        assertTrue(Files.notExists(out));
    }

    /** The fixture's q/v adapter and a copy of it: two adapters of the same modules. */
    private String[] withLlamaAdapters(String... args) throws IOException {
        Path copy = dir.resolve("lora_qv_copy");
        if (Files.notExists(copy)) {
            Files.createDirectories(copy);
            for (String f : List.of("adapter_config.json", "adapter_model.safetensors")) {
                Files.copy(LLAMA.resolve("adapters/lora_qv").resolve(f), copy.resolve(f));
            }
        }
        List<String> all = new ArrayList<>(List.of(args));
        all.add(LLAMA.resolve("adapters/lora_qv").toString());
        all.add(copy.toString());
        return all.toArray(String[]::new);
    }

    private Path write(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content);
    }
}
