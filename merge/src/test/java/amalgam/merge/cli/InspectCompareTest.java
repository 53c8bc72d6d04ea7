package amalgam.merge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import amalgam.kernels.FloatSegments;
import amalgam.merge.adapter.LoraModule;
import com.fasterxml.jackson.databind.JsonNode;
import amalgam.kernels.FloatSegments;
import amalgam.merge.adapter.LoraModule;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code inspect A B …}: cosines and sign agreements parsed back and checked against dense updates made here. */
class InspectCompareTest {

    static final String Q2 = "model.layers.2.self_attn.q_proj";
    static final String Q10 = "model.layers.10.self_attn.q_proj";
    /** Only in the first adapter. */
    static final String ONLY_A = "model.layers.3.mlp.down_proj";
    /** 6 × 5 in the first adapter, 7 × 5 in the second. */
    static final String RESHAPED = "model.layers.4.mlp.up_proj";
    /** An embedding in both: compared as its update B·A, like a linear module. */
    static final String EMBED = "model.embed_tokens";

    @TempDir
    Path dir;

    private InspectAdapters.Written a;
    private InspectAdapters.Written b;
    private InspectAdapters.Written copyOfA;
    private InspectAdapters.Written negatedA;

    @BeforeEach
    void writeAdapters() throws IOException {
        a = InspectAdapters.write(dir.resolve("a"), 51, 3, 6,
                t -> t.linear(Q10, 3, 8, 9).linear(Q2, 3, 8, 9).linear(ONLY_A, 3, 4, 4).linear(RESHAPED, 3, 5, 6)
                        .embedding(EMBED, 3, 8, 9),
                tensors -> {});
        // A different rank: cosine works from the factors whatever the ranks.
        b = InspectAdapters.write(dir.resolve("b"), 52, 2, 2,
                t -> t.linear(Q10, 2, 8, 9).linear(Q2, 2, 8, 9).linear(RESHAPED, 2, 5, 7).embedding(EMBED, 2, 8, 9),
                tensors -> {});
        copyOfA = InspectAdapters.write(dir.resolve("a-copy"), 51, 3, 6,
                t -> t.linear(Q10, 3, 8, 9).linear(Q2, 3, 8, 9).linear(ONLY_A, 3, 4, 4).linear(RESHAPED, 3, 5, 6)
                        .embedding(EMBED, 3, 8, 9),
                tensors -> {});
        negatedA = InspectAdapters.write(dir.resolve("a-negated"), 51, 3, 6,
                t -> t.linear(Q10, 3, 8, 9).linear(Q2, 3, 8, 9).linear(ONLY_A, 3, 4, 4).linear(RESHAPED, 3, 5, 6)
                        .embedding(EMBED, 3, 8, 9),
                InspectAdapters::negateB);
    }

    @Test
    void cosineAndSignAgreementPerModuleAndPairMatchTheDenseUpdates() throws IOException {
        MergeRuns.Run run = MergeRuns.run("inspect", "--json", a.dir().toString(), b.dir().toString());
        assertEquals(0, run.exitCode(), run.err());
        assertEquals("", run.err());
        JsonNode json = new ObjectMapper().readTree(run.out());
        assertEquals(List.of(abs(a), abs(b)), InspectJsonTest.texts(json.get("adapters")));

        JsonNode modules = json.get("modules");
        assertEquals(List.of(EMBED, Q2, ONLY_A, RESHAPED, Q10), names(modules), "every module, in natural order");
        double cosines = 0, agreements = 0;
        for (String name : List.of(EMBED, Q2, Q10)) {
            JsonNode m = module(modules, name);
            assertEquals("compared", m.get("status").asText());
            assertEquals(List.of(3, 2), List.of(m.get("shapes").get(0).get("rank").asInt(),
                    m.get("shapes").get(1).get("rank").asInt()));
            JsonNode pair = m.get("pairs").get(0);
            assertEquals(1, m.get("pairs").size());
            InspectAdapters.Delta x = a.deltas().get(name), y = b.deltas().get(name);
            assertEquals(x.cosine(y), pair.get("cosine").asDouble(), 1e-9, name);
            assertEquals(x.signAgreement(y), pair.get("sign_agreement").asDouble(), 1e-12, name);
            assertTrue(pair.get("sign_agreement_exact").asBoolean());
            assertEquals(9, pair.get("rows_compared").asInt());
            assertEquals(72, pair.get("entries_compared").asLong());
            cosines += x.cosine(y);
            agreements += x.signAgreement(y);
        }

        JsonNode onlyA = module(modules, ONLY_A);
        assertEquals("missing", onlyA.get("status").asText());
        assertEquals("[0]", onlyA.get("present_in").toString());
        assertTrue(onlyA.get("shapes").get(1).isNull());
        assertEquals(0, onlyA.get("pairs").size());
        JsonNode reshaped = module(modules, RESHAPED);
        assertEquals("shapes_differ", reshaped.get("status").asText());
        assertTrue(reshaped.get("reason").asText().contains("linear 6 x 5") && reshaped.get("reason").asText()
                .contains("linear 7 x 5"), reshaped.toString());

        JsonNode summary = json.get("summary");
        assertEquals(5, summary.get("modules").asInt());
        assertEquals(3, summary.get("compared").asInt());
        assertEquals(1, summary.get("missing").asInt());
        assertEquals(1, summary.get("shapes_differ").asInt());
        JsonNode pair = summary.get("pairs").get(0);
        assertEquals("[0,1]", pair.get("adapters").toString());
        assertEquals(3, pair.get("modules").asInt());
        assertEquals(cosines / 3, pair.get("mean_cosine").asDouble(), 1e-9);
        assertEquals(agreements / 3, pair.get("mean_sign_agreement").asDouble(), 1e-12);
        assertFalse(pair.get("ties").asText().isEmpty());
    }

    @Test
    void identicalAdaptersAgreeFullyAndANegatedOneOpposesFully() throws IOException {
        MergeRuns.Run run = MergeRuns.run("inspect", "--json", a.dir().toString(), copyOfA.dir().toString(),
                negatedA.dir().toString());
        assertEquals(0, run.exitCode(), run.err());
        JsonNode json = new ObjectMapper().readTree(run.out());
        JsonNode modules = json.get("modules");
        for (String name : List.of(EMBED, Q2, ONLY_A, RESHAPED, Q10)) {
            JsonNode m = module(modules, name);
            assertEquals("compared", m.get("status").asText(), name);
            assertEquals(3, m.get("pairs").size(), "pairs (0,1), (0,2), (1,2)");
            double[][] expected = {{1, 1}, {-1, 0}, {-1, 0}}; // cosine, sign agreement per pair
            for (int p = 0; p < 3; p++) {
                JsonNode pair = m.get("pairs").get(p);
                assertEquals(expected[p][0], pair.get("cosine").asDouble(), 1e-12, name + " " + pair);
                assertEquals(expected[p][1], pair.get("sign_agreement").asDouble(), 0, name + " " + pair);
            }
        }
        assertEquals(List.of("[0,1]", "[0,2]", "[1,2]"), fields(json.get("summary").get("pairs"), "adapters"));
        JsonNode same = json.get("summary").get("pairs").get(0), opposed = json.get("summary").get("pairs").get(1);
        assertEquals(1, same.get("mean_cosine").asDouble(), 1e-12);
        assertEquals(1, same.get("mean_sign_agreement").asDouble());
        assertTrue(same.get("ties").asText().startsWith("signs mostly agree"), same.toString());
        assertEquals(-1, opposed.get("mean_cosine").asDouble(), 1e-12);
        assertEquals(0, opposed.get("mean_sign_agreement").asDouble());
        assertTrue(opposed.get("ties").asText().startsWith("updates mostly oppose"), opposed.toString());
    }

    @Test
    void aSmallSignBudgetCountsEvenlySpacedRowsAndSaysSo() throws IOException {
        // 9 × 8 modules and at most 24 entries: 3 rows, the centres of three bands of three rows.
        MergeRuns.Run run = MergeRuns.run("inspect", "--json", "--sign-entries", "24", a.dir().toString(),
                b.dir().toString());
        assertEquals(0, run.exitCode(), run.err());
        JsonNode json = new ObjectMapper().readTree(run.out());
        assertEquals(24, json.get("sign_agreement").get("max_entries").asLong());
        JsonNode pair = module(json.get("modules"), Q2).get("pairs").get(0);
        assertFalse(pair.get("sign_agreement_exact").asBoolean());
        assertEquals(3, pair.get("rows_compared").asInt());
        assertEquals(a.deltas().get(Q2).signAgreement(b.deltas().get(Q2), new int[] {1, 4, 7}),
                pair.get("sign_agreement").asDouble(), 1e-12);
        assertEquals(3, json.get("summary").get("pairs").get(0).get("sampled_modules").asInt());
    }

    @Test
    void theTableShowsEachPairTheModulesNotComparedAndTheSummary() throws IOException {
        MergeRuns.Run run = MergeRuns.run("inspect", a.dir().toString(), negatedA.dir().toString());
        assertEquals(0, run.exitCode(), run.err());
        String out = run.out();
        assertTrue(out.contains("#1  " + a.dir()) && out.contains("#2  " + negatedA.dir()), out);
        assertTrue(out.contains("modules      5 compared of 5"), out);
        List<String> rows = out.lines().filter(l -> l.startsWith("model.")).toList();
        assertEquals(List.of(EMBED, Q2, ONLY_A, RESHAPED, Q10), rows.stream().map(l -> l.split(" ")[0]).toList());
        List<String> q2 = List.of(rows.get(1).trim().split("\\s{2,}"));
        assertEquals(List.of(Q2, "9 x 8", "3,3", "#1-#2", "-1.000", "0.000", "all"), q2);
        String summary = out.lines().filter(l -> l.startsWith("#1-#2")).findFirst().orElseThrow();
        assertTrue(summary.matches("#1-#2\\s+5\\s+-1.000\\s+0.000\\s+updates mostly oppose.*"), summary);

        MergeRuns.Run partial = MergeRuns.run("inspect", a.dir().toString(), b.dir().toString());
        assertTrue(partial.out().contains("modules      3 compared of 5; 1 not in every adapter; 1 with different "
                + "shapes"), partial.out());
        assertTrue(partial.out().lines().anyMatch(l -> l.matches("\\s+" + ONLY_A.replace(".", "\\.")
                + "\\s+only in #1")), partial.out());
        assertTrue(partial.out().lines().anyMatch(l -> l.matches("\\s+" + RESHAPED.replace(".", "\\.")
                + "\\s+shapes differ: #1 linear 6 x 5, #2 linear 7 x 5")), partial.out());
    }

    @Test
    void nonFiniteWeightsAreRefusedOrWithAllowNonfiniteListedAsNotCompared() throws IOException {
        InspectAdapters.Written infinite = InspectAdapters.write(dir.resolve("inf"), 53, 2, 2,
                t -> t.linear(Q10, 2, 8, 9).linear(Q2, 2, 8, 9),
                tensors -> FloatSegments.set(tensors.get(LoraModule.KEY_PREFIX + Q2 + ".lora_A.weight").data(), 3,
                        Float.POSITIVE_INFINITY));
        MergeRuns.run("inspect", a.dir().toString(), infinite.dir().toString()).assertBadInput("Infinity",
                "--allow-nonfinite");
        MergeRuns.Run run = MergeRuns.run("inspect", "--json", "--allow-nonfinite", a.dir().toString(),
                infinite.dir().toString());
        assertEquals(0, run.exitCode(), run.err());
        JsonNode modules = new ObjectMapper().readTree(run.out()).get("modules");
        assertEquals("not_finite", module(modules, Q2).get("status").asText());
        assertEquals(0, module(modules, Q2).get("pairs").size());
        assertEquals("compared", module(modules, Q10).get("status").asText());
    }

    @Test
    void badInputIsOneLineNamingTheFileWithExitTwo() throws IOException {
        Path missing = dir.resolve("missing");
        MergeRuns.run("inspect", a.dir().toString(), missing.toString()).assertBadInput(missing.toString());
        Path notAnAdapter = Files.createDirectories(dir.resolve("empty"));
        MergeRuns.run("inspect", "--json", a.dir().toString(), notAnAdapter.toString())
                .assertBadInput(notAnAdapter.toString(), "adapter_model.safetensors");
        MergeRuns.run("inspect", "--sign-entries", "0", a.dir().toString(), b.dir().toString())
                .assertBadInput("--sign-entries");
        MergeRuns.run("inspect").assertBadInput("ADAPTER_DIR");
    }

    @Test
    void helpTeachesBothModesWithExamples() {
        MergeRuns.Run run = MergeRuns.run("inspect", "--help");
        assertEquals(0, run.exitCode());
        for (String text : List.of("Two or more ADAPTER_DIRs", "cosine", "signs agree", "--sign-entries", "--json",
                "amalgam inspect adapters/a adapters/b adapters/c", "amalgam inspect --json adapters/a")) {
            assertTrue(run.out().contains(text), text + " in\n" + run.out());
        }
    }

    private static String abs(InspectAdapters.Written w) {
        return w.dir().toAbsolutePath().normalize().toString();
    }

    private static List<String> names(JsonNode modules) {
        List<String> names = new ArrayList<>();
        modules.forEach(m -> names.add(m.get("name").asText()));
        return names;
    }

    /** Each element's {@code field} as compact JSON text. */
    private static List<String> fields(JsonNode array, String field) {
        List<String> values = new ArrayList<>();
        array.forEach(e -> values.add(e.get(field).toString()));
        return values;
    }

    private static JsonNode module(JsonNode modules, String name) {
        for (JsonNode m : modules) if (m.get("name").asText().equals(name)) return m;
        throw new AssertionError("no module " + name + " in " + modules);
    }
}
