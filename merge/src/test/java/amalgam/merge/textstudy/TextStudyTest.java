package amalgam.merge.textstudy;

import amalgam.merge.dil.TrainingProgress;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The text study end to end at a tiny size on texts the test writes (the numbers mean nothing): every row is
 * measured on every text, the JSON keeps each seed's values and agrees with the table, the findings come from
 * those numbers.
 */
class TextStudyTest {

    @TempDir
    static Path corpus;

    private static TextStudyResults results;

    @BeforeAll
    static void runTinyStudy() throws IOException {
        Random random = new Random(1);
        String[] vocabularies = {"the program licence copy", "apache work grant notice", "mozilla covered source file",
                "document free manual invariant"};
        List<String> names = List.of("GPL-3", "Apache-2.0", "MPL-2.0", "GFDL-1.3");
        for (int t = 0; t < names.size(); t++) {
            String[] words = vocabularies[t].split(" ");
            StringBuilder text = new StringBuilder();
            while (text.length() < 3000) text.append(words[random.nextInt(words.length)]).append(random.nextInt(9) == 0 ? ".\n" : " ");
            Files.writeString(corpus.resolve(names.get(t)), text);
        }
        TextStudyConfig config = TextStudyConfig.tiny(corpus, List.of(3L, 4L));
        TextStudy study = new TextStudy(config, TrainingProgress.SILENT, new PrintWriter(new StringWriter()));
        results = new TextStudyResults(config, List.of(study.run(3), study.run(4)), Map.of("commit", "test"));
    }

    @Test
    void everyRowIsMeasuredOnEveryText() {
        List<String> rows = results.rows();
        assertEquals(List.of(TextStudy.BASE, "lora Apache-2.0 alone", "lora MPL-2.0 alone", "lora GFDL-1.3 alone",
                TextStudy.SUM, TextStudy.ADAPTIVE, TextStudy.RANDOM, TextStudy.NEW_LORA, TextStudy.NEW_LORA_LONG, TextStudy.JOINT), rows);
        for (String row : rows) {
            for (String column : results.columns()) {
                amalgam.merge.dil.DilResults.Stat s = results.stat(row, column);
                assertEquals(2, s.values().size());
                // A byte costs at most about 8 bits under a model barely trained from a uniform start.
                for (double v : s.values()) assertTrue(v > 0 && v < 9, row + " on " + column + ": " + v);
            }
        }
    }

    @Test
    void theLoraTextsColumnIsTheMeanOfThoseTexts() {
        for (String row : results.rows()) {
            for (int seed = 0; seed < 2; seed++) {
                double sum = 0;
                for (String text : results.config().loraTexts()) sum += results.stat(row, text).values().get(seed);
                assertEquals(sum / 3, results.stat(row, TextStudyResults.LORA_MEAN).values().get(seed), 1e-12);
            }
        }
    }

    @Test
    void theJsonKeepsEachSeedAndTheLearnedWeights() throws IOException {
        JsonNode root = new ObjectMapper().readTree(results.json());
        assertEquals(List.of("tool", "config", "unit", "rows", "learned_weights_per_seed"), names(root));
        JsonNode adaptive = root.get("rows").get(TextStudy.ADAPTIVE);
        assertEquals(results.columns(), names(adaptive));
        assertEquals(results.stat(TextStudy.ADAPTIVE, "MPL-2.0").values().get(1),
                adaptive.get("MPL-2.0").get("values").get(1).asDouble(), 0);
        JsonNode weights = root.get("learned_weights_per_seed").get(TextStudy.RANDOM);
        assertEquals(2, weights.size());
        for (JsonNode seed : weights) {
            assertEquals(3, seed.size());
            // sigmoid(c)·b with b ≤ b_max: every weight inside (0, b_max)
            for (JsonNode w : seed) assertTrue(w.asDouble() > 0 && w.asDouble() < results.config().bMax(), w.toString());
        }
        assertTrue(root.get("config").get("corpus").asText().contains("base-files"));
    }

    @Test
    void theReportStatesFindingsFromTheNumbers() {
        String md = results.markdown("amalgam text-study", 1.0);
        assertTrue(md.contains("| " + TextStudy.RANDOM + " |"), md);
        List<String> findings = results.findings();
        assertEquals(6, findings.size());
        double real = results.stat(TextStudy.ADAPTIVE, TextStudyResults.LORA_MEAN).mean();
        double random = results.stat(TextStudy.RANDOM, TextStudyResults.LORA_MEAN).mean();
        assertTrue(findings.getFirst().contains(String.format(java.util.Locale.ROOT, "%.3f", real)), findings.getFirst());
        assertTrue(findings.getFirst().contains(real < random ? "better" : "worse"), findings.getFirst());
    }

    private static List<String> names(JsonNode node) {
        List<String> out = new ArrayList<>();
        node.fieldNames().forEachRemaining(out::add);
        return out;
    }
}
