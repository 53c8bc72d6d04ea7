package amalgam.merge.cli;

import static amalgam.merge.cli.FullModelFixtures.HF;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import amalgam.engine.hub.Checkpoint;
import amalgam.engine.io.FileDType;
import amalgam.merge.adapter.TestAdapters;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad full-model merges: each exits 2 with one line naming the option, module, directory or shapes at fault. */
class FullModelFailureTest {

    private static final Path LLAMA_QV = HF.resolve("llama-f32/adapters/lora_qv");

    @TempDir
    Path dir;

    /** A copy of llama-f32's model files, so that outputs beside or inside it land in the test's folder. */
    private Path base;

    @BeforeEach
    void copyBase() throws IOException {
        base = Files.createDirectories(dir.resolve("base"));
        for (String file : List.of(Checkpoint.CONFIG, Checkpoint.WEIGHTS, "tokenizer.json")) {
            Files.copy(HF.resolve("llama-f32").resolve(file), base.resolve(file));
        }
    }

    private MergeRuns.Run fullModel(Path out, List<Path> adapters, String... options) {
        List<String> args = new java.util.ArrayList<>(List.of("--method", "linear", "--base-model", base.toString(),
                "--full-model"));
        args.addAll(List.of(options));
        return MergeRuns.merge(out, adapters, args.toArray(String[]::new));
    }

    @Test
    void theTwoOptionsNeedEachOther() throws IOException {
        Path out = dir.resolve("out");
        MergeRuns.merge(out, List.of(LLAMA_QV), "--method", "linear", "--full-model")
                .assertBadInput("--full-model", "--base-model");
        MergeRuns.merge(out, List.of(LLAMA_QV), "--method", "linear", "--base-model", base.toString())
                .assertBadInput("--base-model", "--full-model");
        Path config = Files.writeString(dir.resolve("merge.yml"), "merge_method: linear\nmodels:\n  - model: "
                + LLAMA_QV.toAbsolutePath() + "\n");
        MergeRuns.run("merge", "--config", config.toString(), "--full-model", "--out", out.toString())
                .assertBadInput("--full-model", "base_model", config.toString());
        MergeRuns.run("merge", "--config", config.toString(), "--full-model", "--dtype", "bf16", "--out", out.toString())
                .assertBadInput("--config", "--dtype");
        MergeRuns.assertNoOutput(out);
    }

    @Test
    void aConfigsBaseModelMustExistAndNotBeGivenTwice() throws IOException {
        Path out = dir.resolve("out");
        Path config = Files.writeString(dir.resolve("merge.yml"), "merge_method: linear\nbase_model: absent\n"
                + "models:\n  - model: " + LLAMA_QV.toAbsolutePath() + "\n");
        MergeRuns.run("merge", "--config", config.toString(), "--full-model", "--out", out.toString())
                .assertBadInput(config + ":2: base_model", "no model directory", dir.resolve("absent").toString());
        MergeRuns.run("merge", "--config", config.toString(), "--full-model", "--base-model", base.toString(),
                "--out", out.toString()).assertBadInput("--base-model", config + ":2: base_model");
        MergeRuns.assertNoOutput(out);
    }

    @Test
    void theTypeIsTheBasesOwn() throws IOException {
        Path out = dir.resolve("out");
        fullModel(out, List.of(LLAMA_QV), "--dtype", "bf16").assertBadInput("--dtype", "--full-model");
        MergeRuns.assertNoOutput(out);
    }

    @Test
    void anAdapterOfAnotherModelNamesTheModuleTheBaseAndBothShapes() throws IOException {
        Path out = dir.resolve("out");
        // mistral's q_proj maps 64 to 128 features, llama's 64 to 64.
        fullModel(out, List.of(HF.resolve("mistral-f32-sharded/adapters/lora_qv")))
                .assertBadInput("'model.layers.0.self_attn.q_proj'", base.toString(), "[64, 64]", "[128, 64]");
        Path elsewhere;
        try (Arena arena = Arena.ofConfined()) {
            elsewhere = new TestAdapters(arena, 1).linear("model.layers.5.self_attn.q_proj", 2, 64, 64)
                    .write(dir.resolve("layer5"), TestAdapters.config(2, 2), FileDType.F32);
        }
        fullModel(out, List.of(elsewhere))
                .assertBadInput("'model.layers.5.self_attn.q_proj.weight'", base.toString(), "not found");
        Path head;
        try (Arena arena = Arena.ofConfined()) {
            head = new TestAdapters(arena, 1).linear("lm_head", 2, 64, 384)
                    .write(dir.resolve("head"), TestAdapters.config(2, 2), FileDType.F32);
        }
        fullModel(out, List.of(head)).assertBadInput("'lm_head.weight'", "tie_word_embeddings");
        Path conv;
        try (Arena arena = Arena.ofConfined()) {
            conv = new TestAdapters(arena, 1).tensor("base_model.model.conv.lora_A.weight", 2, 3, 3, 3)
                    .tensor("base_model.model.conv.lora_B.weight", 8, 2, 1, 1)
                    .write(dir.resolve("conv"), TestAdapters.config(2, 2), FileDType.F32);
        }
        fullModel(out, List.of(conv)).assertBadInput("conv.lora_", "[2, 3, 3, 3]", "2-D");
        MergeRuns.assertNoOutput(out);
    }

    @Test
    void tensorsSavedBesidesTheFactorsAreRefused() throws IOException {
        Path saving;
        try (Arena arena = Arena.ofConfined()) {
            saving = new TestAdapters(arena, 2).linear("model.layers.0.self_attn.q_proj", 2, 64, 64)
                    .tensor("base_model.model.lm_head.modules_to_save.default.weight", 384, 64)
                    .write(dir.resolve("saving"), TestAdapters.config(2, 2, "\"modules_to_save\": [\"lm_head\"]"),
                            FileDType.F32);
        }
        Path out = dir.resolve("out");
        fullModel(out, List.of(saving)).assertBadInput("modules_to_save", "lm_head", "--full-model");
        MergeRuns.assertNoOutput(out);
    }

    @Test
    void theOutputIsNeverTheBaseOrInsideItAndReplacesOnlyWithForce() throws IOException {
        fullModel(base.resolve("merged"), List.of(LLAMA_QV)).assertBadInput("inside the base model");
        fullModel(base, List.of(LLAMA_QV), "--force").assertBadInput("is (or contains) the base model");
        assertEquals(List.of(Checkpoint.CONFIG, Checkpoint.WEIGHTS, "tokenizer.json"),
                Files.list(base).map(p -> p.getFileName().toString()).sorted().toList());
        Path out = Files.createDirectories(dir.resolve("out"));
        fullModel(out, List.of(LLAMA_QV)).assertBadInput(out.toString(), "already exists", "--force");
        MergeRuns.Run forced = fullModel(out, List.of(LLAMA_QV), "--force");
        assertEquals(0, forced.exitCode(), forced.err());
        assertTrue(Files.exists(out.resolve(Checkpoint.WEIGHTS)) && Files.exists(out.resolve("tokenizer.json")));
        MergeRuns.assertNoLeftovers(out);
    }
}
