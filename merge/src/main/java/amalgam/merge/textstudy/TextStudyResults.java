package amalgam.merge.textstudy;

import amalgam.merge.dil.DilResults.Stat;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The text study over seeds: bits per byte of every row on every text (mean ± std over seeds, each seed's value
 * kept), the mean over the LoRA texts, the learned weights; as JSON and as the report's markdown, whose findings
 * are computed from these numbers.
 */
public record TextStudyResults(TextStudyConfig config, List<TextStudy.SeedResult> seeds, Map<String, String> tool) {

    /** The column that averages the LoRA texts: what a merge of their adapters is for. */
    public static final String LORA_MEAN = "LoRA texts (mean)";

    public List<String> rows() {
        return List.copyOf(seeds.getFirst().bitsPerByte().keySet());
    }

    /** The texts, then {@link #LORA_MEAN}. */
    public List<String> columns() {
        List<String> out = new ArrayList<>(config.texts());
        out.add(LORA_MEAN);
        return out;
    }

    public Stat stat(String row, String column) {
        return Stat.of(seeds.stream().map(s -> value(s, row, column)).toList());
    }

    private double value(TextStudy.SeedResult seed, String row, String column) {
        Map<String, Double> bits = seed.bitsPerByte().get(row);
        if (!column.equals(LORA_MEAN)) return bits.get(column);
        return config.loraTexts().stream().mapToDouble(bits::get).average().orElseThrow();
    }

    public Map<String, Object> asJson() {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("tool", tool);
        root.put("config", config.asMap());
        root.put("unit", "bits per byte on each text's held-out 20 %");
        Map<String, Object> rows = new LinkedHashMap<>();
        for (String row : rows()) {
            Map<String, Object> r = new LinkedHashMap<>();
            for (String column : columns()) r.put(column, stat(row, column).asMap());
            rows.put(row, r);
        }
        root.put("rows", rows);
        Map<String, Object> weights = new LinkedHashMap<>();
        for (String row : seeds.getFirst().learnedWeights().keySet()) {
            weights.put(row, seeds.stream().map(s -> s.learnedWeights().get(row)).toList());
        }
        root.put("learned_weights_per_seed", weights);
        return root;
    }

    public String json() throws IOException {
        return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(asJson()) + "\n";
    }

    /** Rows × texts, mean ± std bits per byte; aligned text or markdown. */
    public String table(boolean markdown) {
        StringBuilder out = new StringBuilder();
        List<String> columns = columns();
        StringBuilder header = new StringBuilder(name(markdown, "row (bits/byte, lower is better)"));
        for (String c : columns) header.append(cell(markdown, c));
        out.append(header.toString().stripTrailing()).append('\n');
        if (markdown) out.append("|---|").append("---:|".repeat(columns.size())).append('\n');
        for (String row : rows()) {
            StringBuilder line = new StringBuilder(name(markdown, row));
            for (String c : columns) {
                Stat s = stat(row, c);
                line.append(cell(markdown, String.format(Locale.ROOT, "%.3f ± %.3f", s.mean(), s.std())));
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
        return out.toString();
    }

    /** What the numbers say about the recycling study's question, as sentences computed from the table. */
    public List<String> findings() {
        List<String> out = new ArrayList<>();
        double adaptive = stat(TextStudy.ADAPTIVE, LORA_MEAN).mean(), random = stat(TextStudy.RANDOM, LORA_MEAN).mean();
        double newLora = Math.min(stat(TextStudy.NEW_LORA, LORA_MEAN).mean(), stat(TextStudy.NEW_LORA_LONG, LORA_MEAN).mean());
        double sum = stat(TextStudy.SUM, LORA_MEAN).mean();
        double base = stat(TextStudy.BASE, LORA_MEAN).mean(), joint = stat(TextStudy.JOINT, LORA_MEAN).mean();
        String pre = config.pretrainText();
        out.add(compare("Learned TIES coefficients over the real LoRAs", adaptive, "the same over random LoRAs of "
                + "equal norms", random) + (adaptive < random ? ": the adapters' content, not the coefficients alone, "
                + "carries the gain." : ": here the coefficients alone explain the gain, as the recycling study warns."));
        out.add(compare("Merging the real LoRAs with learned coefficients", adaptive, "the better new LoRA trained on "
                + "the same buffer", newLora) + ".");
        String bestSingle = null;
        for (String text : config.loraTexts()) {
            String row = "lora " + text + " alone";
            if (bestSingle == null || stat(row, LORA_MEAN).mean() < stat(bestSingle, LORA_MEAN).mean()) bestSingle = row;
        }
        out.add(compare("Learned coefficients", adaptive, "the best single adapter (" + bestSingle + ")",
                stat(bestSingle, LORA_MEAN).mean()) + (adaptive < stat(bestSingle, LORA_MEAN).mean() ? "."
                : ": the merge does not beat choosing one adapter."));
        out.add(compare("Learned coefficients", adaptive, "summing the LoRAs (task arithmetic, W=1)", sum) + ".");
        out.add(String.format(Locale.ROOT, "Gap to the joint LoRA (all training text, not a buffer): %+.3f bits/byte; "
                + "the base alone is %+.3f from it.", adaptive - joint, base - joint));
        out.add(String.format(Locale.ROOT, "Forgetting on %s, the pre-training text: base %.3f, learned merge %.3f, "
                + "new LoRA %.3f bits/byte.", pre, stat(TextStudy.BASE, pre).mean(), stat(TextStudy.ADAPTIVE, pre).mean(),
                stat(TextStudy.NEW_LORA, pre).mean()));
        return out;
    }

    private String compare(String what, double a, String other, double b) {
        return String.format(Locale.ROOT, "%s: %.3f bits/byte on the LoRA texts, %s %.3f (%s by %.3f, over %d seed(s))",
                what, a, other, b, a < b ? "better" : "worse", Math.abs(a - b), seeds.size());
    }

    public String markdown(String command, double wallSeconds) {
        StringBuilder md = new StringBuilder("# Text study: LoRA recycling on a byte-level Llama\n\n");
        md.append(String.format(Locale.ROOT, "`%s` — %d seed(s), %.0f s wall time; amalgam %s, commit %s.%n%n", command,
                seeds.size(), wallSeconds, tool.getOrDefault("version", "unknown"), tool.getOrDefault("commit", "unknown")));
        md.append("Corpus: the licence texts of Debian's `base-files` package (").append(config.corpus())
                .append("), bytes as tokens, each split 80 % train / 20 % held out. A Llama-shaped decoder (")
                .append(config.layers()).append(" layers, hidden ").append(config.hidden()).append(", ")
                .append(config.heads()).append(" heads, ").append(config.kvHeads()).append(" KV heads) is pre-trained on `")
                .append(config.pretrainText()).append("`; one rank-").append(config.rank())
                .append(" LoRA on q, k, v and o per text of ").append(config.loraTexts())
                .append("; the memory buffer holds ").append(config.bufferPerText()).append(" windows of ")
                .append(config.window()).append(" bytes of each.\n\n");
        md.append("## Bits per byte on held-out text (mean ± std over seeds)\n\n").append(table(true)).append('\n');
        md.append("## What the numbers say\n\n");
        for (String f : findings()) md.append("- ").append(f).append('\n');
        md.append("\n## Learned weights (per seed, one per adapter in the order of the LoRA texts)\n\n");
        for (String row : seeds.getFirst().learnedWeights().keySet()) {
            md.append("- ").append(row).append(':');
            for (TextStudy.SeedResult seed : seeds) {
                StringBuilder w = new StringBuilder();
                for (double v : seed.learnedWeights().get(row)) w.append(w.isEmpty() ? "" : ", ").append(String.format(Locale.ROOT, "%.2f", v));
                md.append(" [").append(w).append(']');
            }
            md.append('\n');
        }
        md.append("\n## Configuration\n\n```\n").append(config.asMap()).append("\n```\n");
        return md.toString();
    }

    private static String name(boolean markdown, String name) {
        return markdown ? "| " + name + " |" : String.format(Locale.ROOT, "%-34s", name);
    }

    private static String cell(boolean markdown, String value) {
        return markdown ? " " + value + " |" : String.format(Locale.ROOT, "%18s", value);
    }
}
