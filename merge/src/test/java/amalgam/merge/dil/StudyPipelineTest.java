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
        assertEquals(List.of("tool", "config", "fixed", "adaptive", "adaptive_softmax", "experiences", "baselines"),
                names(root));
        assertEquals(List.of("task_arithmetic", "ties", "dare_ties", "lego", "svd", "cat"), names(root.get("fixed")));
        for (String group : new String[] {"fixed", "adaptive", "adaptive_softmax"}) {
            if (!group.equals("fixed")) assertEquals(List.of("task_arithmetic", "ties", "dare_ties"), names(root.get(group)));
            for (JsonNode alg : root.get(group)) {
                assertEquals(List.of("1", "3", "5"), names(alg));
                for (JsonNode stat : alg) assertStatOfTwoSeeds(stat);
            }
        }
        JsonNode experiences = root.get("experiences");
        assertEquals(4, experiences.size());
        for (int t = 0; t < 4; t++) {
            JsonNode e = experiences.get(t);
            assertEquals(List.of("experience", "weights", "weights_per_seed", "domain_accuracy"), names(e));
            assertEquals(t + 1, e.get("experience").asInt());
            assertEquals(t + 1, e.get("weights").size());
            assertEquals(2, e.get("weights_per_seed").size());
            for (int i = 0; i <= t; i++) {
                double mean = (e.get("weights_per_seed").get(0).get(i).asDouble()
                        + e.get("weights_per_seed").get(1).get(i).asDouble()) / 2;
                assertEquals(mean, e.get("weights").get(i).asDouble(), 1e-12);
            }
            assertEquals(t + 1, e.get("domain_accuracy").size());
        }
        assertEquals(List.of("original", "posterized", "edges", "rotated-noisy"),
                names(experiences.get(3).get("domain_accuracy")));
        assertEquals(List.of("new_lora", "joint_lora", "random_loras"), names(root.get("baselines")));
        for (JsonNode b : root.get("baselines")) assertStatOfTwoSeeds(b);
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
                "accuracy-ties.png", "accuracy-dare_ties.png", "accuracy-factors.png"}) {
            assertTrue(Files.size(report.resolve(f)) > 0, f);
        }
        String markdown = Files.readString(report.resolve("report.md"));
        for (String row : new String[] {"| ties (adaptive sigmoid, b_max) |", "| ties (adaptive softmax, b_max) |",
                "| lego (fixed W, rank 8) |", "| svd (fixed W, rank 8) |", "| cat (fixed W, rank 32) |"}) {
            assertTrue(markdown.contains(row), row);
        }
        assertEquals(ResultOutput.json(results), Files.readString(json));
        assertThrows(InputException.class, () -> ResultOutput.checkWritable(report, null, false));
        assertThrows(InputException.class, () -> ResultOutput.writeJson(results, json, false));
        ResultOutput.writeJson(results, json, true);
        ResultOutput.writeReport(results, report, true, 1.0, "test");
        try (var files = Files.list(dir)) {
            assertEquals(2, files.count(), "no temporary files are left behind");
        }
    }

    /** A mean ± std of two seeds' percentages that agrees with the two values it keeps. */
    private static void assertStatOfTwoSeeds(JsonNode stat) {
        assertEquals(List.of("mean", "std", "values"), names(stat));
        double a = stat.get("values").get(0).asDouble(), b = stat.get("values").get(1).asDouble();
        assertEquals(2, stat.get("values").size());
        assertTrue(a >= 0 && a <= 100 && b >= 0 && b <= 100, stat.toString());
        assertEquals((a + b) / 2, stat.get("mean").asDouble(), 1e-9);
        assertEquals(Math.abs(a - b) / Math.sqrt(2), stat.get("std").asDouble(), 1e-9);
    }

    @Test
    void catIsTheExactWeightedSumAndSoEqualsTaskArithmetic() {
        for (int w : results.config().fixedWeights()) {
            assertEquals(results.fixed("task_arithmetic", w).values(), results.fixed("cat", w).values(), "W=" + w);
        }
    }

    @Test
    void theJsonNamesTheToolThatWroteIt() throws Exception {
        DilResults withTool = new DilResults(results.config(), results.seeds(),
                java.util.Map.of("name", "amalgam", "version", "9.9", "commit", "abc123"));
        JsonNode tool = new ObjectMapper().readTree(ResultOutput.json(withTool)).get("tool");
        assertEquals("abc123", tool.get("commit").asText());
        assertTrue(ResultOutput.markdown(withTool, List.of(), 1.0, "test").contains("amalgam 9.9, commit abc123"));
    }

    private static List<String> names(JsonNode node) {
        List<String> out = new java.util.ArrayList<>();
        node.fieldNames().forEachRemaining(out::add);
        return out;
    }
}
