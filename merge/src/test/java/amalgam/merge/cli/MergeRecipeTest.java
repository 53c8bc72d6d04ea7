package amalgam.merge.cli;

import static amalgam.merge.cli.MergeRuns.adapter;
import static amalgam.merge.cli.MergeRuns.merge;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import amalgam.engine.io.FileDType;
import amalgam.engine.io.SafetensorsFile;
import amalgam.merge.adapter.LoraAdapter;
import amalgam.merge.pipeline.MergeRecipe;
import amalgam.merge.pipeline.ToolVersion;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every merge records how it was made: {@code amalgam_merge.yml} beside the adapter and the same recipe in the
 * safetensors header. Both are parsed back here, the hashes are recomputed, and the recipe is run again.
 */
class MergeRecipeTest {

    @TempDir
    Path dir;
    private Path first;
    private Path second;
    private Path out;

    @BeforeEach
    void mergeWithSeveralParameters() throws IOException {
        first = adapter(dir.resolve("first"), 1, 2, 4, FileDType.F32);
        second = adapter(dir.resolve("second"), 2, 2, 2, FileDType.F32);
        out = dir.resolve("merged");
        MergeRuns.Run run = merge(out, List.of(first, second), "--method", "dare_ties", "--weights", "0.7,0.3",
                "--density", "0.5,0.25", "--seed", "7", "--semantics", "mergekit", "--lambda", "1.5", "--rank", "3",
                "--dtype", "bf16");
        assertEquals(0, run.exitCode(), run.err());
    }

    @Test
    void theYamlRecipeHoldsMethodInputsParametersAndType() throws IOException {
        JsonNode recipe = new YAMLMapper().readTree(out.resolve(MergeRecipe.FILE_NAME).toFile());
        assertEquals("dare_ties", recipe.get("merge_method").asText());
        JsonNode models = recipe.get("models");
        assertEquals(2, models.size());
        assertInput(models.get(0), first, 0.7, 0.5);
        assertInput(models.get(1), second, 0.3, 0.25);
        JsonNode parameters = recipe.get("parameters");
        assertEquals(7, parameters.get("seed").asLong());
        assertEquals("mergekit", parameters.get("semantics").asText());
        assertEquals(1.5, parameters.get("lambda").asDouble());
        assertEquals(3, parameters.get("rank").asInt());
        assertEquals("total", parameters.get("majority_sign").asText(), "defaults are written too");
        assertFalse(parameters.has("gamma"), "dare_ties takes no gamma");
        assertEquals("bf16", recipe.get("dtype").asText());
    }

    @Test
    void theSafetensorsHeaderCarriesTheSameRecipeAsStrings() throws IOException {
        Map<String, String> metadata;
        try (SafetensorsFile file = SafetensorsFile.open(out.resolve(LoraAdapter.WEIGHTS_FILE))) {
            metadata = file.metadata();
        }
        assertEquals("pt", metadata.get("format"), "transformers needs the format");
        assertEquals(ToolVersion.version(), metadata.get("amalgam_version"));
        assertNotEquals("unknown", metadata.get("amalgam_version"), "Maven filters the version in");
        assertEquals("dare_ties", metadata.get("merge_method"));
        assertEquals("bf16", metadata.get("merge_dtype"));
        ObjectMapper json = new ObjectMapper();
        JsonNode parameters = json.readTree(metadata.get("merge_parameters"));
        assertEquals(1.5, parameters.get("lambda").asDouble());
        JsonNode models = json.readTree(metadata.get("merge_models"));
        assertInput(models.get(0), first, 0.7, 0.5);
        assertInput(models.get(1), second, 0.3, 0.25);
    }

    @Test
    void runningTheRecipeRepeatsTheMergeByteForByte() throws IOException {
        Path again = dir.resolve("again");
        MergeRuns.Run run = MergeRuns.run("merge", "--threads", "2", "--config",
                out.resolve(MergeRecipe.FILE_NAME).toString(), "--out", again.toString());
        assertEquals(0, run.exitCode(), run.err());
        MergeConfigTest.assertSameOutput(out, again);
    }

    @Test
    void theRecipeRefusesAnInputThatChanged() throws IOException {
        Path recipe = Files.copy(out.resolve(MergeRecipe.FILE_NAME), dir.resolve("recipe.yml"));
        adapter(dir.resolve("first-rewritten"), 9, 2, 4, FileDType.F32);
        Files.copy(dir.resolve("first-rewritten").resolve(LoraAdapter.WEIGHTS_FILE), first.resolve(LoraAdapter.WEIGHTS_FILE),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        MergeRuns.run("merge", "--config", recipe.toString(), "--out", dir.resolve("stale").toString())
                .assertBadInput(recipe + ":", "models[0].sha256", "the adapter changed");
        assertFalse(Files.exists(dir.resolve("stale")));
    }

    @Test
    void theRecipeIsInsideTheAtomicOutputOnly() throws IOException {
        assertTrue(Files.isRegularFile(out.resolve(MergeRecipe.FILE_NAME)));
        try (var siblings = Files.list(dir)) {
            assertEquals(List.of(), siblings.filter(p -> p.getFileName().toString().contains(MergeRecipe.FILE_NAME)).toList());
        }
    }

    private static void assertInput(JsonNode model, Path adapter, double weight, double density) throws IOException {
        assertEquals(adapter.toAbsolutePath().normalize().toString(), model.get("model").asText());
        assertEquals(sha256(adapter.resolve(LoraAdapter.WEIGHTS_FILE)), model.get("sha256").asText());
        assertEquals(weight, model.get("parameters").get("weight").asDouble());
        assertEquals(density, model.get("parameters").get("density").asDouble());
    }

    private static String sha256(Path file) throws IOException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
