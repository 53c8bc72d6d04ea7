package amalgam.merge.dil;

import amalgam.engine.data.FashionMnist;
import amalgam.engine.InputException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The whole study at a tiny size: the JSON has the issue's schema and the report's files appear. */
class StudyPipelineTest {

    private static DilResults results;

    @BeforeAll
    static void runTinyStudy() {
        DilConfig config = DilConfig.tiny(List.of(3L, 4L));
        List<DomainData> domains = DilExperiment.domains(FashionMnist.embedded(), config);
        DilExperiment experiment = new DilExperiment(config, domains, TrainingProgress.SILENT,
                new java.io.PrintWriter(new java.io.StringWriter()));
        results = new DilResults(config, List.of(experiment.run(3), experiment.run(4)));
    }

    @Test
    void jsonHasTheIssuesSchema() throws Exception {
        JsonNode root = new ObjectMapper().readTree(ResultOutput.json(results));
        assertEquals(List.of("config", "fixed", "adaptive", "experiences", "baselines"), names(root));
        for (String group : new String[] {"fixed", "adaptive"}) {
            assertEquals(List.of("task_arithmetic", "ties", "dare_ties"), names(root.get(group)));
            for (JsonNode alg : root.get(group)) {
                assertEquals(List.of("1", "3", "5"), names(alg));
                for (JsonNode stat : alg) {
                    assertEquals(List.of("mean", "std"), names(stat));
                    assertTrue(stat.get("mean").asDouble() >= 0 && stat.get("mean").asDouble() <= 100);
                    assertTrue(stat.get("std").asDouble() >= 0);
                }
            }
        }
        JsonNode experiences = root.get("experiences");
        assertEquals(4, experiences.size());
        for (int t = 0; t < 4; t++) {
            JsonNode e = experiences.get(t);
            assertEquals(List.of("experience", "weights", "domain_accuracy"), names(e));
            assertEquals(t + 1, e.get("experience").asInt());
            assertEquals(t + 1, e.get("weights").size());
            assertEquals(t + 1, e.get("domain_accuracy").size());
        }
        assertEquals(List.of("original", "posterized", "edges", "rotated-noisy"),
                names(experiences.get(3).get("domain_accuracy")));
        assertEquals(List.of("new_lora", "joint_lora", "random_loras"), names(root.get("baselines")));
        for (JsonNode b : root.get("baselines")) assertEquals(List.of("mean", "std"), names(b));
        assertEquals(List.of(3, 4), List.of(root.get("config").get("seeds").get(0).asInt(),
                root.get("config").get("seeds").get(1).asInt()));
    }

    @Test
    void learnedSigmoidWeightsStayBelowBMax() {
        for (int t = 0; t < results.experiences(); t++) {
            for (double w : results.traceWeights(t)) assertTrue(w > 0 && w < results.config().traceBMax(), "weight " + w);
        }
    }

    @Test
    void reportAndJsonFilesAppearAndAreNotOverwrittenWithoutForce(@TempDir Path dir) throws Exception {
        Path report = dir.resolve("report"), json = dir.resolve("results.json");
        ResultOutput.writeReport(results, report, false, 1.0, "test");
        ResultOutput.writeJson(results, json, false);
        for (String f : new String[] {"report.md", "results.json", "weights.png", "accuracy-task_arithmetic.png",
                "accuracy-ties.png", "accuracy-dare_ties.png"}) {
            assertTrue(Files.size(report.resolve(f)) > 0, f);
        }
        assertTrue(Files.readString(report.resolve("report.md")).contains("| ties (adaptive b_max) |"));
        assertEquals(ResultOutput.json(results), Files.readString(json));
        assertThrows(InputException.class, () -> ResultOutput.checkWritable(report, null, false));
        assertThrows(InputException.class, () -> ResultOutput.writeJson(results, json, false));
        ResultOutput.writeJson(results, json, true);
        ResultOutput.writeReport(results, report, true, 1.0, "test");
        try (var files = Files.list(dir)) {
            assertEquals(2, files.count(), "no temporary files are left behind");
        }
    }

    private static List<String> names(JsonNode node) {
        List<String> out = new java.util.ArrayList<>();
        node.fieldNames().forEachRemaining(out::add);
        return out;
    }
}
