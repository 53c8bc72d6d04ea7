package amalgam.merge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import amalgam.engine.io.FloatTensor;
import amalgam.kernels.FloatSegments;
import amalgam.merge.adapter.LoraModule;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code inspect --json} of one adapter: parsed back, every value against the dense updates computed here. */
class InspectJsonTest {

    /** Listed on purpose out of natural order: the file's own order is lexicographic, 10 before 2. */
    static final String L10 = "model.layers.10.self_attn.q_proj";
    static final String L2 = "model.layers.2.self_attn.q_proj";
    static final String L2V = "model.layers.2.self_attn.v_proj";
    static final String EMBED = "model.embed_tokens";

    @TempDir
    Path dir;

    @Test
    void reportsTheTablesFieldsAndEachModulesSingularValuesInNaturalOrder() throws IOException {
        InspectAdapters.Written adapter = InspectAdapters.write(dir.resolve("a"), 41, 3, 6,
                t -> t.linear(L10, 3, 7, 9).linear(L2, 3, 7, 9).linear(L2V, 3, 5, 4).embedding(EMBED, 3, 11, 6),
                tensors -> {});

        MergeRuns.Run run = MergeRuns.run("inspect", "--json", adapter.dir().toString());

        assertEquals(0, run.exitCode(), run.err());
        assertEquals("", run.err());
        JsonNode json = new ObjectMapper().readTree(run.out()); // all of stdout is the one object
        assertEquals(adapter.dir().toAbsolutePath().normalize().toString(), json.get("adapter").asText());
        assertEquals("tiny/base", json.get("base_model").asText());
        assertEquals(3, json.get("config").get("r").asInt());
        assertEquals(6, json.get("config").get("lora_alpha").asDouble());
        assertEquals(false, json.get("config").get("use_rslora").asBoolean());
        assertEquals(3L * (7 + 9) * 2 + 3L * (5 + 4) + 3L * (11 + 6), json.get("parameters").asLong());
        assertEquals(List.of("f32"), texts(json.get("dtypes")));

        List<String> names = new ArrayList<>();
        json.get("modules").forEach(m -> names.add(m.get("name").asText()));
        assertEquals(List.of(EMBED, L2, L2V, L10), names);
        for (JsonNode m : json.get("modules")) {
            InspectAdapters.Delta delta = adapter.deltas().get(m.get("name").asText());
            assertEquals(m.get("name").asText().equals(EMBED) ? "embedding" : "linear", m.get("kind").asText());
            assertEquals(delta.out(), m.get("out_features").asInt());
            assertEquals(delta.in(), m.get("in_features").asInt());
            assertEquals(3, m.get("rank").asInt());
            assertEquals(2, m.get("scaling").asDouble());
            assertEquals("f32", m.get("dtype_a").asText());
            double norm = Math.sqrt(delta.dot(delta));
            assertEquals(norm, m.get("norm_delta").asDouble(), 1e-9 * norm);
            double[] expected = delta.singularValues();
            JsonNode sigma = m.get("singular_values");
            assertEquals(3, sigma.size(), m.toString());
            for (int k = 0; k < 3; k++) {
                assertEquals(expected[k], sigma.get(k).asDouble(), 1e-9 * expected[0], m.get("name") + " sigma " + k);
            }
            double energy = 0;
            for (JsonNode s : sigma) energy += s.asDouble() * s.asDouble();
            assertEquals(norm * norm, energy, 1e-9 * norm * norm, "the spectrum carries all of |dW|_F^2");
        }
    }

    @Test
    void theTableListsModulesInNaturalOrderToo() throws IOException {
        InspectAdapters.Written adapter = InspectAdapters.write(dir.resolve("a"), 42, 2, 2,
                t -> t.linear(L10, 2, 3, 3).linear(L2, 2, 3, 3), tensors -> {});
        MergeRuns.Run run = MergeRuns.run("inspect", adapter.dir().toString());
        assertEquals(0, run.exitCode(), run.err());
        List<String> rows = run.out().lines().filter(l -> l.startsWith("model.")).map(l -> l.split(" ")[0]).toList();
        assertEquals(List.of(L2, L10), rows);
    }

    @Test
    void aRankDeficientUpdateShowsItsZeroSingularValues() throws IOException {
        // Two equal rows of A make B·A rank 1 although r = 2.
        InspectAdapters.Written adapter = InspectAdapters.write(dir.resolve("a"), 43, 2, 2,
                t -> t.linear(L2, 2, 4, 5), tensors -> {
                    FloatTensor a = tensors.get(LoraModule.KEY_PREFIX + L2 + ".lora_A.weight");
                    for (int c = 0; c < 4; c++) FloatSegments.set(a.data(), 4 + c, FloatSegments.get(a.data(), c));
                });
        JsonNode sigma = new ObjectMapper().readTree(MergeRuns.run("inspect", "--json", adapter.dir().toString()).out())
                .get("modules").get(0).get("singular_values");
        double[] expected = adapter.deltas().get(L2).singularValues();
        assertEquals(expected[0], sigma.get(0).asDouble(), 1e-9 * expected[0]);
        assertEquals(0, sigma.get(1).asDouble(), 1e-6 * expected[0]);
    }

    static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
