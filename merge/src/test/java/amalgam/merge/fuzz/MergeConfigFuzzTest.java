package amalgam.merge.fuzz;

import amalgam.engine.InputException;
import amalgam.merge.pipeline.MergeConfig;
import amalgam.merge.pipeline.MergePlan;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Coverage-guided fuzzing of {@code amalgam merge --config}: the fuzzer's bytes are the whole YAML file, which
 * is read ({@link MergeConfig#read}) and validated into a plan ({@link MergePlan#of}) — everything a merge does
 * before it opens the adapters. Its folder holds empty directories {@code a} and {@code b}, so that configs
 * naming them get past the path check.
 *
 * <p>Property: the only exception that escapes is {@link InputException}, with a one-line message, whatever the
 * YAML's shape (scalars where mappings belong, deep nesting, huge numbers, repeated keys, broken syntax).
 *
 * <p>A plain {@code mvn test} replays the committed inputs under
 * {@code src/test/resources/amalgam/merge/fuzz/MergeConfigFuzzTestInputs/readAndPlan/}; docs/fuzzing.md says how
 * to fuzz.
 */
class MergeConfigFuzzTest {

    private static final Path FOLDER = folder();

    @DictionaryEntries({"merge_method: ", "models:", "- model: a", "- model: b", "parameters:", "weight: ",
            "density: ", "filter: ", "layers: [0, 2]", "value: ", "dtype: ", "base_model: ", "sha256: ", "ties",
            "task_arithmetic", "lego", "normalize: true", "semantics: mergekit", "lambda: ", "rank: ", "seed: "})
    @FuzzTest(maxDuration = "2m")
    void readAndPlan(byte[] yaml) throws IOException {
        Path config = Files.write(FOLDER.resolve("merge.yml"), yaml);
        try {
            MergePlan.of(MergeConfig.read(config).request());
        } catch (InputException e) {
            FuzzBounds.assertOneLine(e);
        }
    }

    private static Path folder() {
        try {
            Path folder = Files.createTempDirectory("merge-config-fuzz");
            Files.createDirectories(folder.resolve("a"));
            Files.createDirectories(folder.resolve("b"));
            folder.toFile().deleteOnExit();
            return folder;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
