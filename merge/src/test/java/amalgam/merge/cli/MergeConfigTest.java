package amalgam.merge.cli;

import static amalgam.merge.cli.MergeRuns.EMBED;
import static amalgam.merge.cli.MergeRuns.Q;
import static amalgam.merge.cli.MergeRuns.V;
import static amalgam.merge.cli.MergeRuns.adapter;
import static amalgam.merge.cli.MergeRuns.merge;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import amalgam.engine.io.FileDType;
import amalgam.kernels.FloatSegments;
import amalgam.merge.adapter.AdapterConfig;
import amalgam.merge.adapter.LoraAdapter;
import amalgam.merge.adapter.LoraModule;
import amalgam.merge.pipeline.MergeRecipe;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code amalgam merge --config FILE.yml}: every key of the config against the command-line flags that say the
 * same, output byte for byte (weights, adapter config and recipe); filters against the flag runs whose values
 * they pick module by module.
 */
class MergeConfigTest {

    @TempDir
    Path dir;
    private Path first;
    private Path second;

    @BeforeEach
    void writeAdapters() throws IOException {
        first = adapter(dir.resolve("first"), 1, 2, 4, FileDType.F32);
        second = adapter(dir.resolve("second"), 2, 2, 2, FileDType.F32);
    }

    /**
     * Each row: merge_method, the two models' parameters, the merge's parameters (YAML flow mappings, "-" for
     * none) and the equivalent flags. Together the rows use every key a config can hold.
     */
    @ParameterizedTest(name = "{0} {1} {2} {3}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "linear          | -               | -            | -                                        | --method linear",
            "linear          | {weight: 0.7}   | {weight: 0.3} | -                                       | --method linear --weights 0.7,0.3",
            "linear          | -               | -            | {weight: -1}                             | --method linear --weights -1,-1",
            "task_arithmetic | {weight: 0.7}   | {weight: 0.3} | -                                       | --method linear --weights 0.7,0.3",
            "linear          | {weight: 3}     | {weight: 1}  | {normalize: true}                        | --method linear --weights 3,1 --normalize",
            "ties            | -               | -            | {density: 0.5}                           | --method ties --density 0.5",
            "ties            | {density: 0.5}  | {density: 0.3} | -                                      | --method ties --density 0.5,0.3",
            "ties            | {density: 0.3}  | -            | {density: 0.6}                           | --method ties --density 0.3,0.6",
            "ties            | -               | -            | {density: 0.4, majority_sign: frequency} | --method ties --density 0.4 --majority-sign frequency",
            "ties            | -               | -            | {density: 0.5, semantics: mergekit, lambda: 0.5} | --method ties --density 0.5 --semantics mergekit --lambda 0.5",
            "ties            | -               | -            | {semantics: mergekit, normalize: false}  | --method ties --semantics mergekit --no-normalize",
            "ties_svd        | -               | -            | {density: 0.5, rank: 3}                  | --method ties_svd --density 0.5 --rank 3",
            "dare_linear     | -               | -            | {density: 0.5, seed: 3}                  | --method dare_linear --density 0.5 --seed 3",
            "breadcrumbs     | -               | -            | {density: 0.6, gamma: 0.1}               | --method breadcrumbs --density 0.6 --gamma 0.1",
            "della           | -               | -            | {density: 0.5, epsilon: 0.2, seed: 5}    | --method della --density 0.5 --epsilon 0.2 --seed 5",
            "linear          | -               | -            | {space: factors}                         | --method linear --space factors",
            "svd             | -               | -            | {rank: 2, svd_clamp: 0.9}                | --method svd --rank 2 --svd-clamp 0.9",
            "lego            | -               | -            | {clusters: 3, lego_norm: linf, lego_output_reweighting: false} | --method lego --clusters 3 --lego-norm linf --no-lego-output-reweighting",
            "cat             | {weight: 1}     | {weight: -1} | -                                        | --method cat --weights 1,-1",
    })
    void configAndFlagsGiveByteIdenticalOutputs(String method, String firstParameters, String secondParameters,
                                                String parameters, String flags) throws IOException {
        Path config = config(method, firstParameters, secondParameters, parameters, "");
        Path fromConfig = dir.resolve("from-config"), fromFlags = dir.resolve("from-flags");
        assertSucceeded(mergeConfig(config, fromConfig));
        assertSucceeded(merge(fromFlags, List.of(first, second), flags.trim().split(" +")));
        assertSameOutput(fromFlags, fromConfig);
    }

    @Test
    void normalizeDividesByTheSumOfTheWeights() throws IOException {
        // 3/4 and 1/4 are exact in binary, so dividing the weights first gives the very same bits.
        Path config = config("linear", "{weight: 3}", "{weight: 1}", "{normalize: true}", "");
        assertSucceeded(mergeConfig(config, dir.resolve("normalized")));
        assertSucceeded(merge(dir.resolve("quarters"), List.of(first, second), "--method", "linear", "--weights", "0.75,0.25"));
        assertModulesFrom(dir.resolve("normalized"), Map.of(Q, dir.resolve("quarters"), V, dir.resolve("quarters"),
                EMBED, dir.resolve("quarters")));
        assertSucceeded(merge(dir.resolve("cat"), List.of(first, second), "--method", "cat", "--weights", "3,1", "--normalize"));
        assertSucceeded(merge(dir.resolve("cat-quarters"), List.of(first, second), "--method", "cat", "--weights", "0.75,0.25"));
        assertModulesFrom(dir.resolve("cat"), Map.of(Q, dir.resolve("cat-quarters"), V, dir.resolve("cat-quarters"),
                EMBED, dir.resolve("cat-quarters")));
    }

    @Test
    void dtypeTakesTorchsNamesAndOurs() throws IOException {
        Path config = config("linear", "-", "-", "-", "dtype: bfloat16\n");
        assertSucceeded(mergeConfig(config, dir.resolve("from-config")));
        assertSucceeded(merge(dir.resolve("from-flags"), List.of(first, second), "--method", "linear", "--dtype", "bf16"));
        assertSameOutput(dir.resolve("from-flags"), dir.resolve("from-config"));
        try (LoraAdapter merged = LoraAdapter.open(dir.resolve("from-config"))) {
            assertEquals(FileDType.BF16, merged.tensorA(merged.modules().getFirst()).dtype());
        }
    }

    @Test
    void baseModelIsAcceptedWithAWarningAndChangesNothing() throws IOException {
        Path config = config("ties", "-", "-", "{density: 0.5}", "base_model: some/model\n");
        MergeRuns.Run run = mergeConfig(config, dir.resolve("with-base"));
        assertSucceeded(run);
        assertTrue(run.err().contains("amalgam: warning: " + config + ":") && run.err().contains("base_model is not used"),
                run.err());
        assertSucceeded(merge(dir.resolve("flags"), List.of(first, second), "--method", "ties", "--density", "0.5"));
        assertSameOutput(dir.resolve("flags"), dir.resolve("with-base"));
    }

    @Test
    void relativeModelPathsResolveAgainstTheConfigsFolderNotTheWorkingDirectory() throws IOException {
        Path nested = Files.createDirectories(dir.resolve("configs/deeper"));
        Path config = Files.writeString(nested.resolve("merge.yml"),
                "merge_method: linear\nmodels:\n  - model: ../../first\n  - model: ../../second\n");
        assertSucceeded(mergeConfig(config, dir.resolve("nested")));
        assertSucceeded(merge(dir.resolve("flags"), List.of(first, second), "--method", "linear"));
        assertSameOutput(dir.resolve("flags"), dir.resolve("nested"));
    }

    @Test
    void nameFiltersPickEachModulesDensity() throws IOException {
        Path config = config("ties", "-", "-", "{density: [{filter: q_proj, value: 0.3}, {value: 0.7}]}", "");
        assertSucceeded(mergeConfig(config, dir.resolve("filtered")));
        assertSucceeded(merge(dir.resolve("low"), List.of(first, second), "--method", "ties", "--density", "0.3"));
        assertSucceeded(merge(dir.resolve("high"), List.of(first, second), "--method", "ties", "--density", "0.7"));
        assertModulesFrom(dir.resolve("filtered"), Map.of(Q, dir.resolve("low"), V, dir.resolve("high"),
                EMBED, dir.resolve("high")));
    }

    @Test
    void layerRangesAndPerAdapterFiltersPickEachModulesWeights() throws IOException {
        // Layer 0 holds q_proj and v_proj; the embedding has no layer number and takes the fallback.
        Path config = config("linear", "-", "{weight: [{layers: [0, 1], value: -1}, {value: 0.5}]}", "-", "");
        assertSucceeded(mergeConfig(config, dir.resolve("filtered")));
        assertSucceeded(merge(dir.resolve("minus"), List.of(first, second), "--method", "linear", "--weights", "1,-1"));
        assertSucceeded(merge(dir.resolve("half"), List.of(first, second), "--method", "linear", "--weights", "1,0.5"));
        assertModulesFrom(dir.resolve("filtered"), Map.of(Q, dir.resolve("minus"), V, dir.resolve("minus"),
                EMBED, dir.resolve("half")));
        // A layer range that matches no layer leaves every module at the fallback.
        Path none = config("linear", "-", "{weight: [{layers: [5, 9], value: -1}, {value: 0.5}]}", "-", "");
        assertSucceeded(mergeConfig(none, dir.resolve("none")));
        assertModulesFrom(dir.resolve("none"), Map.of(Q, dir.resolve("half"), V, dir.resolve("half"),
                EMBED, dir.resolve("half")));
    }

    @Test
    void aFilterThatMatchesNoModuleIsWarnedAbout() throws IOException {
        Path config = config("ties", "-", "-", "{density: [{filter: self_atn, value: 0.3}, {value: 0.7}]}", "");
        MergeRuns.Run run = mergeConfig(config, dir.resolve("typo"));
        assertSucceeded(run);
        assertEquals(List.of("amalgam: warning: " + config + ":5: parameters.density[0].value: its filter matches no "
                + "module, so it changes nothing"), run.errLines());
        MergeRuns.Run fine = mergeConfig(config("ties", "-", "-", "{density: [{filter: q_proj, value: 0.3}, {value: 0.7}]}",
                ""), dir.resolve("fine"));
        assertSucceeded(fine);
        assertEquals(List.of(), fine.errLines());
    }

    @Test
    void anAdaptersOwnFilteredValueGoesBeforeTheMerges() throws IOException {
        // Adapter 1 sets v_proj's density itself; elsewhere it, and adapter 2 everywhere, take the merge's 0.3.
        Path config = config("magnitude_prune", "{density: [{filter: v_proj, value: 0.9}]}", "-", "{density: 0.3}", "");
        assertSucceeded(mergeConfig(config, dir.resolve("filtered")));
        assertSucceeded(merge(dir.resolve("v"), List.of(first, second), "--method", "magnitude_prune", "--density", "0.9,0.3"));
        assertSucceeded(merge(dir.resolve("rest"), List.of(first, second), "--method", "magnitude_prune", "--density", "0.3"));
        assertModulesFrom(dir.resolve("filtered"), Map.of(Q, dir.resolve("rest"), V, dir.resolve("v"),
                EMBED, dir.resolve("rest")));
    }

    @Test
    void configAndMethodOptionsTogetherAreRefused() throws IOException {
        Path config = config("linear", "-", "-", "-", "");
        MergeRuns.run("merge", "--config", config.toString(), "--out", dir.resolve("o").toString(), "--density", "0.5")
                .assertBadInput("--config", "drop --density");
        MergeRuns.run("merge", "--config", config.toString(), "--out", dir.resolve("o").toString(), first.toString())
                .assertBadInput("--config", "ADAPTER_DIR");
        MergeRuns.run("merge", "--out", dir.resolve("o").toString(), first.toString())
                .assertBadInput("--method", "--config FILE.yml");
        assertFalse(Files.exists(dir.resolve("o")));
    }

    private Path config(String method, String firstParameters, String secondParameters, String parameters,
                        String extra) throws IOException {
        StringBuilder yaml = new StringBuilder("merge_method: " + method.trim() + "\nmodels:\n");
        for (String[] model : List.of(new String[] {"first", firstParameters}, new String[] {"second", secondParameters})) {
            yaml.append("  - model: ").append(model[0]).append('\n');
            if (!model[1].trim().equals("-")) yaml.append("    parameters: ").append(model[1].trim()).append('\n');
        }
        if (!parameters.trim().equals("-")) yaml.append("parameters: ").append(parameters.trim()).append('\n');
        yaml.append(extra);
        return Files.writeString(dir.resolve("merge.yml"), yaml.toString());
    }

    private MergeRuns.Run mergeConfig(Path config, Path out) {
        return MergeRuns.run("merge", "--threads", "2", "--config", config.toString(), "--out", out.toString());
    }

    private static void assertSucceeded(MergeRuns.Run run) {
        assertEquals(0, run.exitCode(), run.err());
    }

    /** The same weights file, adapter config and recipe, byte for byte. */
    static void assertSameOutput(Path expected, Path actual) throws IOException {
        for (String file : List.of(LoraAdapter.WEIGHTS_FILE, AdapterConfig.FILE_NAME, MergeRecipe.FILE_NAME)) {
            assertArrayEquals(Files.readAllBytes(expected.resolve(file)), Files.readAllBytes(actual.resolve(file)), file);
        }
    }

    /** Each module's factors in {@code merged} are bit for bit those of the run the map names for it. */
    private static void assertModulesFrom(Path merged, Map<String, Path> sources) {
        try (LoraAdapter actual = LoraAdapter.open(merged)) {
            assertEquals(sources.keySet(), Map.copyOf(names(actual)).keySet());
            for (Map.Entry<String, Path> e : sources.entrySet()) {
                try (LoraAdapter expected = LoraAdapter.open(e.getValue())) {
                    assertArrayEquals(factors(expected, e.getKey()), factors(actual, e.getKey()), e.getKey());
                }
            }
        }
    }

    private static Map<String, Boolean> names(LoraAdapter adapter) {
        Map<String, Boolean> names = new java.util.HashMap<>();
        adapter.modules().forEach(m -> names.put(m.name(), true));
        return names;
    }

    private static float[] factors(LoraAdapter adapter, String module) {
        LoraModule m = adapter.module(module).orElseThrow();
        try (Arena arena = Arena.ofConfined()) {
            int a = (int) (m.rank() * m.inFeatures()), b = (int) (m.outFeatures() * m.rank());
            List<Float> all = new ArrayList<>();
            for (float v : FloatSegments.toArray(adapter.loadA(m, arena), 0, a)) all.add(v);
            for (float v : FloatSegments.toArray(adapter.loadB(m, arena), 0, b)) all.add(v);
            float[] out = new float[all.size()];
            for (int i = 0; i < out.length; i++) out[i] = all.get(i);
            return out;
        }
    }
}
