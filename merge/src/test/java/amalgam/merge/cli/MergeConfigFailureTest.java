package amalgam.merge.cli;

import static amalgam.merge.cli.MergeRuns.adapter;
import static amalgam.merge.cli.MergeRuns.assertNoOutput;

import amalgam.engine.io.FileDType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad config files fail as bad options do: exit 2, one stderr line naming the file, the line and the key (the
 * file alone where a key is missing), and nothing written.
 */
class MergeConfigFailureTest {

    private static final String MODELS = "models:\n  - model: first\n  - model: second\n";

    @TempDir
    Path dir;
    private Path out;

    @BeforeEach
    void writeAdapters() throws IOException {
        adapter(dir.resolve("first"), 1, 2, 4, FileDType.F32);
        adapter(dir.resolve("second"), 2, 2, 2, FileDType.F32);
        out = Files.createDirectories(dir.resolve("outputs")).resolve("merged");
    }

    /** Each case: the config, where the error must point ("LINE: KEY"; a missing key's is its mapping's line), what it says. */
    static Stream<Arguments> badConfigs() {
        return Stream.of(
                Arguments.of("merge_method: ties\nslices: []\n" + MODELS, "2: slices", "unknown key"),
                Arguments.of("merge_method: ties\nmodels:\n  - model: first\n    weight: 0.5\n  - model: second\n",
                        "4: models[0].weight", "unknown key"),
                Arguments.of("merge_method: ties\n" + MODELS + "parameters: {t: 0.5}\n", "5: parameters.t",
                        "unknown parameter"),
                Arguments.of("merge_method: ties\n" + MODELS + "parameters:\n  density: high\n", "6: parameters.density",
                        "must be a number, got 'high'"),
                Arguments.of("merge_method: ties\n" + MODELS + "parameters:\n  rank: 2.5\n", "6: parameters.rank",
                        "must be a whole number"),
                Arguments.of("merge_method: ties\n" + MODELS + "parameters:\n  normalize: maybe\n",
                        "6: parameters.normalize", "true or false"),
                Arguments.of("merge_method: linear\n" + MODELS + "parameters:\n  rank: 2\n  density: 0.5\n",
                        "7: parameters.density", "does not apply to linear, which takes weight, normalize"),
                Arguments.of("merge_method: ties\nmodels:\n  - model: first\n    parameters: {rank: 4}\n  - model: second\n",
                        "4: models[0].parameters.rank", "one value for the whole merge"),
                Arguments.of("merge_method: ties\n" + MODELS + "parameters:\n  seed: [{filter: q_proj, value: 1}]\n",
                        "6: parameters.seed", "one value for the whole merge"),
                Arguments.of("merge_method: ties\nmodels:\n  - model: first\n  - model: second\n    parameters:\n"
                        + "      density: 1.5\n", "6: models[1].parameters.density", "[0, 1]"),
                Arguments.of("merge_method: ties\nmodels:\n  - model: first\n  - model: nowhere\n",
                        "4: models[1].model", "no adapter directory"),
                Arguments.of("merge_method: ties\nmodels: [\n  - model: first\n", "", "malformed YAML"),
                Arguments.of(MODELS, "1: merge_method", "missing"),
                Arguments.of("merge_method: ties\n", "1: models", "missing"),
                Arguments.of("merge_method: ties\nmodels: first\n", "2: models", "must be a list"),
                Arguments.of("merge_method: slerp\n" + MODELS, "1: merge_method", "unknown merge method 'slerp'"),
                Arguments.of("merge_method: ties\nmerge_method: linear\n" + MODELS, "2: merge_method", "given twice"),
                Arguments.of("merge_method: ties\n" + MODELS + "parameters:\n  density: [0.1, 0.5]\n",
                        "6: parameters.density[0]", "gradient"),
                Arguments.of("merge_method: ties\n" + MODELS + "parameters:\n  lambda: 0.5\n", "6: parameters.lambda",
                        "add semantics: mergekit"),
                Arguments.of("merge_method: ties\n" + MODELS + "parameters:\n  normalize: true\n",
                        "6: parameters.normalize", "needs semantics: mergekit"),
                Arguments.of("merge_method: ties\n" + MODELS + "parameters:\n  density: [{layers: [3, 1], value: 0.5}]\n",
                        "6: parameters.density[0].layers", "[FROM, TO]"),
                Arguments.of("merge_method: ties\n" + MODELS + "parameters:\n  density: [{filter: mlp}]\n",
                        "6: parameters.density[0].value", "missing"),
                Arguments.of("merge_method: ties\n" + MODELS + "dtype: float64\n", "5: dtype", "f32, f16 or bf16"),
                Arguments.of("merge_method: ties\nmodels:\n  - model: first\n    sha256: 00ff\n  - model: second\n",
                        "4: models[0].sha256", "the adapter changed"),
                Arguments.of("- merge_method: ties\n", "1", "expected a mapping"));
    }

    @ParameterizedTest(name = "{1}: {2}")
    @MethodSource("badConfigs")
    void badConfigsAreOneLineNamingFileLineAndKey(String yaml, String lineAndKey, String detail) throws IOException {
        Path config = Files.writeString(dir.resolve("merge.yml"), yaml);
        String where = config + ":" + lineAndKey;
        run(config).assertBadInput("amalgam: error: " + where, detail);
        assertNoOutput(out);
    }

    @Test
    void aMissingConfigFileIsNamed() throws IOException {
        Path missing = dir.resolve("absent.yml");
        run(missing).assertBadInput(missing.toString(), "no such config file");
        assertNoOutput(out);
    }

    private MergeRuns.Run run(Path config) {
        return MergeRuns.run("merge", "--threads", "2", "--config", config.toString(), "--out", out.toString());
    }
}
