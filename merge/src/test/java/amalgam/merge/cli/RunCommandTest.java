package amalgam.merge.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * {@code amalgam run} end to end on the committed transformers/PEFT fixtures: the token ids its tokenizer gives,
 * the last prompt position's logits and the greedy continuation equal what transformers (+ PEFT) recorded.
 */
class RunCommandTest {

    static final Path HF = Path.of("../fixtures/hf");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    static Stream<Arguments> textCases() throws IOException {
        List<Arguments> cases = new ArrayList<>();
        for (String model : List.of("llama-f32", "qwen2-bf16", "mistral-f32-sharded", "llama-bf16-tf4config")) {
            for (JsonNode c : JSON.readTree(HF.resolve(model).resolve("expected.json").toFile()).get("cases")) {
                cases.add(Arguments.of(model, c.get("name").asText(), c));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("textCases")
    void textRunEqualsTransformers(String model, String name, JsonNode expected) throws IOException {
        List<String> args = new ArrayList<>(List.of("run", "--model", HF.resolve(model).toString(), "--threads", "2",
                "--text", expected.get("prompt").asText(), "--max-new-tokens",
                Integer.toString(expected.get("generated_ids").size()), "--json"));
        for (JsonNode a : expected.get("adapters")) {
            args.addAll(List.of("--adapter", HF.resolve(model).resolve("adapters").resolve(a.asText()).toString()));
        }
        if (expected.get("merged").asBoolean()) args.add("--merged");
        MergeRuns.Run run = MergeRuns.run(args.toArray(String[]::new));
        assertEquals(0, run.exitCode(), run.err());
        JsonNode result = JSON.readTree(run.out());
        assertArrayEquals(ints(expected.get("input_ids")), ints(result.get("input_ids")), "input_ids");
        JsonNode allLogits = expected.get("logits");
        double[] want = doubles(allLogits.get(allLogits.size() - 1));
        double[] got = doubles(result.get("last_logits"));
        assertEquals(want.length, got.length, "vocabulary");
        double scale = 0, error = 0;
        for (int i = 0; i < want.length; i++) {
            scale = Math.max(scale, Math.abs(want[i]));
            error = Math.max(error, Math.abs(want[i] - got[i]));
        }
        double tolerance = model.contains("bf16") ? 2e-3 : 1e-4;
        assertTrue(error / scale <= tolerance, "relative error " + error / scale + " of the last logits");
        assertArrayEquals(ints(expected.get("generated_ids")), ints(result.get("generated_ids")), "greedy tokens");
    }

    @Test
    void plainTextOutputIsTheContinuation() throws IOException {
        JsonNode c = JSON.readTree(HF.resolve("llama-f32/expected.json").toFile()).get("cases").get(0);
        MergeRuns.Run run = MergeRuns.run("run", "--model", HF.resolve("llama-f32").toString(),
                "--text", c.get("prompt").asText(), "--max-new-tokens", "6");
        assertEquals(0, run.exitCode(), run.err());
        assertEquals(c.get("generated_text").asText() + "\n", run.out());
    }

    static Stream<Arguments> imageCases() throws IOException {
        List<Arguments> cases = new ArrayList<>();
        for (JsonNode c : JSON.readTree(HF.resolve("vit-f32/expected.json").toFile()).get("cases")) {
            cases.add(Arguments.of(c.get("name").asText(), false, c));
            if (!c.get("adapters").isEmpty()) cases.add(Arguments.of(c.get("name").asText(), true, c));
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} merged={1}")
    @MethodSource("imageCases")
    void imageRunEqualsTransformers(String name, boolean merged, JsonNode expected) throws IOException {
        Path vit = HF.resolve("vit-f32");
        List<String> args = new ArrayList<>(List.of("run", "--model", vit.toString(),
                "--image", vit.resolve(expected.get("image").asText()).toString(), "--json"));
        for (JsonNode a : expected.get("adapters")) {
            args.addAll(List.of("--adapter", vit.resolve("adapters").resolve(a.asText()).toString()));
        }
        if (merged) args.add("--merged");
        MergeRuns.Run run = MergeRuns.run(args.toArray(String[]::new));
        assertEquals(0, run.exitCode(), run.err());
        JsonNode result = JSON.readTree(run.out());
        double[] want = doubles(expected.get("logits"));
        double[] got = doubles(result.get("logits"));
        assertEquals(want.length, got.length, "labels");
        for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], 1e-4, "logit " + i);
        assertEquals(expected.get("label").asText(), result.get("label").asText());
    }

    @Test
    void textOnAnImageModelAndImageOnADecoderAreRefused() {
        Path vit = HF.resolve("vit-f32");
        MergeRuns.run("run", "--model", vit.toString(), "--text", "hi").assertBadInput("--text", "ViTForImageClassification");
        MergeRuns.run("run", "--model", HF.resolve("llama-f32").toString(), "--image", vit.resolve("rgb.png").toString())
                .assertBadInput("--image", "not an image classifier");
        MergeRuns.run("run", "--model", vit.toString(), "--image", vit.resolve("absent.png").toString())
                .assertBadInput("absent.png");
    }

    @Test
    void badModelsAndAdaptersAreOneLineNamingTheFile() throws IOException {
        Path model = Files.createDirectories(dir.resolve("gpt2"));
        Files.writeString(model.resolve("config.json"), "{\"architectures\": [\"GPT2LMHeadModel\"]}");
        Files.copy(HF.resolve("llama-f32/model.safetensors"), model.resolve("model.safetensors"));
        MergeRuns.run("run", "--model", model.toString(), "--text", "hi")
                .assertBadInput(model.resolve("config.json").toString(), "unsupported architecture 'GPT2LMHeadModel'");
        MergeRuns.run("run", "--model", dir.resolve("absent").toString(), "--text", "hi")
                .assertBadInput(dir.resolve("absent").toString(), "no such");
        // An adapter made for another model: its modules are not in this one.
        MergeRuns.run("run", "--model", HF.resolve("llama-f32").toString(), "--text", "hi",
                        "--adapter", HF.resolve("mistral-f32-sharded/adapters/lora_qv").toString())
                .assertBadInput("q_proj");
        MergeRuns.run("run", "--model", HF.resolve("llama-f32").toString(), "--text", "hi", "--top-p", "0")
                .assertBadInput("--top-p");
        MergeRuns.run("run", "--model", HF.resolve("llama-f32").toString(), "--text", "hi", "--merged")
                .assertBadInput("--merged");
    }

    static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) out[i] = array.get(i).asInt();
        return out;
    }

    static double[] doubles(JsonNode array) {
        double[] out = new double[array.size()];
        for (int i = 0; i < out.length; i++) out[i] = array.get(i).asDouble();
        return out;
    }
}
