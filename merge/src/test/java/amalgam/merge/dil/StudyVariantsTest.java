package amalgam.merge.dil;

import amalgam.engine.data.FashionMnist;
import amalgam.merge.adaptive.CoefficientActivation;
import amalgam.merge.adaptive.CoefficientRecipe;
import amalgam.merge.adaptive.Granularity;
import amalgam.merge.adaptive.StandardObjective;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The tiny study with coefficients learned another way than the default: one per adapter and module, softmax
 * with a fixed scale, the label-free objective. Softmax over adapters makes the weights of each module sum to
 * b = 1 + (b_max − 1)·σ(b_max), so the per-adapter means over modules must sum to b as well.
 */
class StudyVariantsTest {

    private static final CoefficientRecipe RECIPE = new CoefficientRecipe(CoefficientActivation.SOFTMAX,
            Granularity.MODULE, false, false, StandardObjective.ENTROPY);

    private static DilResults results;

    @BeforeAll
    static void runTinyStudyPerModule() {
        DilConfig config = DilConfig.tiny(List.of(7L)).withCoefficients(RECIPE);
        List<DomainData> domains = DilExperiment.domains(FashionMnist.embedded(), config);
        DilExperiment experiment = new DilExperiment(config, domains, TrainingProgress.SILENT,
                new java.io.PrintWriter(new java.io.StringWriter()));
        results = new DilResults(config, List.of(experiment.run(7)));
    }

    @Test
    void eachExperienceHasOneWeightPerAdapterSummingToTheFixedScale() {
        double b = 1 + (results.config().traceBMax() - 1) / (1 + Math.exp(-results.config().traceBMax()));
        assertEquals(4, results.experiences());
        for (int t = 0; t < results.experiences(); t++) {
            double[] weights = results.traceWeights(t);
            assertEquals(t + 1, weights.length);
            double sum = 0;
            for (double w : weights) {
                assertTrue(w > 0 && w <= b + 1e-5, "weight " + w);
                sum += w;
            }
            assertEquals(b, sum, 1e-4, "experience " + (t + 1));
        }
    }

    @Test
    void accuraciesArePercentages() throws Exception {
        JsonNode root = new ObjectMapper().readTree(ResultOutput.json(results));
        int checked = 0;
        for (String group : List.of("fixed", "adaptive", "adaptive_sigmoid", "baselines")) {
            for (JsonNode stat : root.get(group).findValues("mean")) {
                assertPercent(stat.asDouble());
                checked++;
            }
        }
        assertEquals(6 * 3 + 2 * 9 + 3, checked); // six fixed rows, two adaptive groups, the baselines
        for (JsonNode e : root.get("experiences")) {
            assertEquals(e.get("experience").asInt(), e.get("domain_accuracy").size());
            e.get("domain_accuracy").forEach(a -> assertPercent(a.asDouble()));
        }
    }

    @Test
    void theJsonAndTheTablesSayHowTheWeightsWereLearned() throws Exception {
        JsonNode config = new ObjectMapper().readTree(ResultOutput.json(results)).get("config");
        assertEquals(List.of("softmax", "module", "fixed", "entropy"), List.of(config.get("activation").asText(),
                config.get("granularity").asText(), config.get("scale").asText(), config.get("objective").asText()));
        assertTrue(ResultTables.experiences(results, false).startsWith("experience weights (mean over modules)"),
                ResultTables.experiences(results, false));
        String report = ResultOutput.markdown(results, List.of(), 1.0, "test");
        assertTrue(report.contains("learned weight of each adapter (mean over its 4 modules)"), report);
        assertTrue(report.contains("α = softmax over adapters(c)·b, b = 1 + (b_max − 1)·σ(b_max) fixed"), report);
        assertTrue(report.contains("one c per adapter and adapted module"), report);
    }

    @Test
    void anAdaptersWeightIsTheMeanOverItsModules() {
        assertArrayEquals(new double[] {2.5, 0.5}, DilExperiment.weightPerAdapter(new double[][] {{1, 2, 3, 4}, {0, 1, 0, 1}}));
        assertArrayEquals(new double[] {0.25}, DilExperiment.weightPerAdapter(new double[][] {{0.25}}));
    }

    private static void assertPercent(double value) {
        assertTrue(value >= 0 && value <= 100, "accuracy " + value);
    }
}
