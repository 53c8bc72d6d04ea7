package amalgam.merge.cli;

import static amalgam.merge.cli.MergeRuns.EMBED;
import static amalgam.merge.cli.MergeRuns.Q;
import static amalgam.merge.cli.MergeRuns.V;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import amalgam.engine.io.FileDType;
import amalgam.merge.algorithms.LowRankUpdate;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.SingularValueDecomposition;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code merge --json} and {@code --min-energy}: the energy kept per module against a dense SVD done here. */
class MergeJsonTest {

    @TempDir
    Path dir;

    private Path first;
    private Path second;

    @BeforeEach
    void writeAdapters() throws IOException {
        first = MergeRuns.adapter(dir.resolve("a"), 31, 2, 4, FileDType.F32);
        second = MergeRuns.adapter(dir.resolve("b"), 32, 2, 2, FileDType.F32);
    }

    @Test
    void linearReportsTheShareOfEachUpdateItsRankKeeps() throws IOException {
        MergeRuns.Run run = MergeRuns.merge(dir.resolve("m"), List.of(first, second), "--method", "linear",
                "--weights", "0.7,-0.4", "--rank", "2", "--min-energy", "0", "--json");
        assertEquals(0, run.exitCode(), run.err());
        assertEquals(List.of(), run.errLines());
        JsonNode json = new ObjectMapper().readTree(run.out());
        assertEquals("linear", json.get("method").asText());
        assertEquals(dir.resolve("m").toAbsolutePath().normalize().toString(), json.get("output").asText());
        assertEquals(2, json.get("adapters").size());
        assertEquals("f32", json.get("dtype").asText());
        assertTrue(json.get("seconds").asDouble() >= 0);
        assertFalse(json.get("backend").asText().isEmpty());
        Map<String, Double> expected = expectedShares(2, 0.7, -0.4);
        assertEquals(expected.keySet(), names(json));
        for (JsonNode m : json.get("modules")) {
            assertEquals(2, m.get("rank").asInt());
            assertEquals(expected.get(m.get("name").asText()), m.get("energy_kept").asDouble(), 1e-5, m.toString());
            assertTrue(m.get("energy_kept").asDouble() < 0.999, "rank 2 of a rank-4 sum keeps less than all");
        }
    }

    @Test
    void denseMergesMeasureTheirMergedUpdateToo() throws IOException {
        // dare_linear at density 1 keeps every entry, so its dense ΔW is the linear sum: the same shares.
        MergeRuns.Run run = MergeRuns.merge(dir.resolve("m"), List.of(first, second), "--method", "dare_linear",
                "--density", "1", "--rank", "3", "--min-energy", "0", "--json");
        assertEquals(0, run.exitCode(), run.err());
        Map<String, Double> expected = expectedShares(3, 1, 1);
        for (JsonNode m : new ObjectMapper().readTree(run.out()).get("modules")) {
            assertEquals(expected.get(m.get("name").asText()), m.get("energy_kept").asDouble(), 1e-5, m.toString());
        }
    }

    @Test
    void catTruncatesNothingAndLegoIsNoTruncation() throws IOException {
        JsonNode cat = new ObjectMapper().readTree(MergeRuns.merge(dir.resolve("cat"), List.of(first, second),
                "--method", "cat", "--json").out());
        for (JsonNode m : cat.get("modules")) assertEquals(1.0, m.get("energy_kept").asDouble(), 0);
        JsonNode lego = new ObjectMapper().readTree(MergeRuns.merge(dir.resolve("lego"), List.of(first, second),
                "--method", "lego", "--json").out());
        for (JsonNode m : lego.get("modules")) assertTrue(m.get("energy_kept").isNull(), m.toString());
        assertEquals(0, lego.get("below_min_energy").size());
    }

    @Test
    void modulesBelowMinEnergyAreNamedInOneWarningAndInTheJson() throws IOException {
        Map<String, Double> shares = expectedShares(1, 1, 1);
        double threshold = 0.999;
        List<String> below = new ArrayList<>(shares.keySet().stream().filter(n -> shares.get(n) < threshold).toList());
        below.sort((x, y) -> Double.compare(shares.get(x), shares.get(y)));
        assertFalse(below.isEmpty(), "rank 1 of a rank-4 sum of Gaussian factors keeps less than 99.9%");

        MergeRuns.Run run = MergeRuns.merge(dir.resolve("m"), List.of(first, second), "--method", "linear",
                "--rank", "1", "--min-energy", Double.toString(threshold), "--json");
        assertEquals(0, run.exitCode(), run.err());
        assertEquals(1, run.errLines().size(), run.err());
        String warning = run.errLines().getFirst();
        assertTrue(warning.startsWith("amalgam: warning: " + below.size() + " of 3 modules keep less than 99.9%"),
                warning);
        assertTrue(warning.contains("'" + below.getFirst() + "' "
                + MergeReport.percent(shares.get(below.getFirst())) + " at rank 1"), warning);
        List<String> listed = new ArrayList<>();
        new ObjectMapper().readTree(run.out()).get("below_min_energy").forEach(n -> listed.add(n.asText()));
        assertEquals(below, listed);

        MergeRuns.Run quiet = MergeRuns.merge(dir.resolve("m2"), List.of(first, second), "--method", "linear",
                "--rank", "1", "--min-energy", "0");
        assertEquals(List.of(), quiet.errLines());
        assertTrue(quiet.out().contains("kept     at least " + MergeReport.percent(
                shares.values().stream().mapToDouble(Double::doubleValue).min().orElseThrow())), quiet.out());
    }

    @Test
    void minEnergyOutsideZeroToOneIsRefusedBeforeAnythingIsWritten() throws IOException {
        Path out = dir.resolve("m");
        MergeRuns.merge(out, List.of(first, second), "--method", "linear", "--min-energy", "1.5")
                .assertBadInput("--min-energy", "1.5");
        MergeRuns.assertNoOutput(out);
    }

    /** Per module Σ_{k<rank} σ_k² / Σ σ_k² of the dense Σ w_i ΔW_i, from commons-math's SVD. */
    private Map<String, Double> expectedShares(int rank, double... weights) {
        Map<String, Double> shares = new HashMap<>();
        try (Arena arena = Arena.ofConfined()) {
            Map<String, LowRankUpdate> a = MergeRuns.updates(first, arena), b = MergeRuns.updates(second, arena);
            for (String name : List.of(Q, V, EMBED)) {
                LowRankUpdate u = a.get(name);
                double[] sum = MergeRuns.weightedSum(List.of(u, b.get(name)), weights);
                double[][] rows = new double[u.outFeatures()][u.inFeatures()];
                for (int i = 0; i < rows.length; i++) {
                    System.arraycopy(sum, i * u.inFeatures(), rows[i], 0, u.inFeatures());
                }
                double[] sigma = new SingularValueDecomposition(new Array2DRowRealMatrix(rows)).getSingularValues();
                double kept = 0, total = 0;
                for (int k = 0; k < sigma.length; k++) {
                    total += sigma[k] * sigma[k];
                    if (k < rank) kept += sigma[k] * sigma[k];
                }
                shares.put(name, kept / total);
            }
        }
        return shares;
    }

    private static Set<String> names(JsonNode json) {
        Set<String> names = new HashSet<>();
        json.get("modules").forEach(m -> names.add(m.get("name").asText()));
        return names;
    }
}
