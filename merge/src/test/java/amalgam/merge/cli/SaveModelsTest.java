package amalgam.merge.cli;

import amalgam.engine.data.FashionMnist;
import amalgam.merge.dil.DilConfig;
import amalgam.merge.dil.DilExperiment;
import amalgam.merge.dil.DomainData;
import amalgam.merge.dil.TrainingProgress;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --save-models}: what a study writes works at once with {@code train-coefficients} (buffer, eval folder,
 * the four domain adapters) and {@code run} (the learned merged adapter on an eval image).
 */
class SaveModelsTest {

    @TempDir
    Path dir;

    @Test
    void theSavedModelsRunAndLearnCoefficients() throws IOException {
        DilConfig config = DilConfig.tiny(List.of(3L));
        List<DomainData> domains = DilExperiment.domains(FashionMnist.embedded(), config);
        Path saved = dir.resolve("models");
        new DilExperiment(config, domains, TrainingProgress.SILENT, new PrintWriter(new StringWriter()))
                .run(3, saved, false);
        assertTrue(Files.readString(saved.resolve("README.md")).contains("train-coefficients --model " + saved + "/base"));

        List<String> command = new ArrayList<>(List.of("train-coefficients", "--model", saved.resolve("base").toString(),
                "--buffer", saved.resolve("buffer").toString(), "--eval", saved.resolve("eval").toString(),
                "--method", "ties", "--steps", "3", "--out", dir.resolve("learned").toString()));
        try (Stream<Path> adapters = Files.list(saved.resolve("adapters"))) {
            adapters.sorted().forEach(a -> command.add(a.toString()));
        }
        MergeRuns.Run train = MergeRuns.run(command.toArray(String[]::new));
        assertEquals(0, train.exitCode(), train.err());
        JsonNode learned = new ObjectMapper().readTree(dir.resolve("learned/coefficients.json").toFile());
        assertEquals(4, learned.get("weights").size());
        // The tiny study's buffer: one image per class of each of the four domains.
        assertEquals(4 * 10 * config.samplesPerClass(), learned.get("buffer").get("examples").asInt());
        assertTrue(learned.get("eval").get("examples").asInt() > 0, learned.toString());

        Path image;
        try (Stream<Path> bags = Files.list(saved.resolve("eval/Bag"))) {
            image = bags.sorted().findFirst().orElseThrow();
        }
        MergeRuns.Run run = MergeRuns.run("run", "--model", saved.resolve("base").toString(), "--adapter",
                dir.resolve("learned/adapter").toString(), "--image", image.toString(), "--json");
        assertEquals(0, run.exitCode(), run.err());
        JsonNode result = new ObjectMapper().readTree(run.out());
        assertEquals(10, result.get("logits").size());
        List<String> classes = new ArrayList<>();
        new ObjectMapper().readTree(saved.resolve("base/config.json").toFile()).get("id2label")
                .forEach(label -> classes.add(label.asText()));
        assertTrue(classes.contains(result.get("label").asText()), run.out());
    }
}
