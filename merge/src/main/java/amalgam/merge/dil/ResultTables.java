package amalgam.merge.dil;

import amalgam.merge.adaptive.Granularity;
import amalgam.merge.algorithms.MergeMethod;

import java.util.Locale;
import java.util.Map;

/** The study's two tables as aligned text (the terminal) and as markdown (the report). */
public final class ResultTables {

    private ResultTables() {}

    /**
     * Methods × W / b_max: final accuracy over all four domains, mean ± std over seeds. Each learnable merge's
     * fixed row, then its adaptive rows (one per parameterisation); then the factor merges; then the baselines.
     */
    public static String study(DilResults r, boolean markdown) {
        StringBuilder out = new StringBuilder();
        StringBuilder header = new StringBuilder(name(markdown, "method"));
        for (int w : r.config().fixedWeights()) header.append(cell(markdown, "W=" + w));
        line(out, header.toString());
        if (markdown) line(out, "|---|" + "---:|".repeat(r.config().fixedWeights().size()));
        for (MergeMethod kind : MergeMethod.learnable()) {
            fixedRow(out, r, markdown, kind.reportName(), kind.reportName() + " (fixed W)");
            for (AdaptiveRows rows : r.config().adaptiveRows()) {
                StringBuilder adaptive = new StringBuilder(name(markdown, rows.rowName(kind.reportName())));
                for (int b : r.config().bMaxValues()) adaptive.append(cell(markdown, stat(r.adaptive(rows.group(), kind, b))));
                line(out, adaptive.toString());
            }
        }
        int adapters = r.experiences();
        for (FactorMerge merge : FactorMerge.values()) {
            fixedRow(out, r, markdown, merge.cliName(), merge.cliName() + " (fixed W, rank "
                    + merge.outputRank(adapters, r.config().rank()) + ")");
        }
        for (String baseline : DilResults.BASELINES) {
            line(out, name(markdown, baseline) + cell(markdown, stat(r.baseline(baseline)))
                    + (markdown ? " |".repeat(r.config().fixedWeights().size() - 1) : ""));
        }
        return out.toString();
    }

    private static void fixedRow(StringBuilder out, DilResults r, boolean markdown, String method, String rowName) {
        StringBuilder fixed = new StringBuilder(name(markdown, rowName));
        for (int w : r.config().fixedWeights()) fixed.append(cell(markdown, stat(r.fixed(method, w))));
        line(out, fixed.toString());
    }

    /**
     * Per experience: the traced merge's learned weight of each adapter (the mean over modules with one weight per
     * module) and its accuracy on each domain seen.
     */
    public static String experiences(DilResults r, boolean markdown) {
        StringBuilder out = new StringBuilder();
        String[] domains = java.util.Arrays.stream(Domain.values()).map(Domain::id).toArray(String[]::new);
        String weightsColumn = r.config().coefficients().granularity() == Granularity.ADAPTER ? "learned weights"
                : "weights (mean over modules)";
        StringBuilder header = new StringBuilder(markdown ? "| experience | " + weightsColumn + " |"
                : String.format(Locale.ROOT, "%-11s%-30s", "experience", weightsColumn));
        for (String d : domains) header.append(cell(markdown, d));
        line(out, header.toString());
        if (markdown) line(out, "|---:|---|" + "---:|".repeat(domains.length));
        for (int t = 0; t < r.experiences(); t++) {
            StringBuilder weights = new StringBuilder();
            for (double w : r.traceWeights(t)) weights.append(weights.isEmpty() ? "" : " ").append(String.format(Locale.ROOT, "%.2f", w));
            StringBuilder row = new StringBuilder(markdown ? "| " + (t + 1) + " | " + weights + " |"
                    : String.format(Locale.ROOT, "%-11d%-30s", t + 1, weights));
            Map<String, Double> accuracy = r.traceDomainAccuracy(t);
            for (String d : domains) {
                Double a = accuracy.get(d);
                row.append(cell(markdown, a == null ? "–" : String.format(Locale.ROOT, "%.1f", a)));
            }
            line(out, row.toString());
        }
        return out.toString();
    }

    private static String stat(DilResults.Stat s) {
        return String.format(Locale.ROOT, "%.1f ± %.1f", s.mean(), s.std());
    }

    private static String name(boolean markdown, String name) {
        return markdown ? "| " + name + " |" : String.format(Locale.ROOT, "%-40s", name);
    }

    private static String cell(boolean markdown, String value) {
        return markdown ? " " + value + " |" : String.format(Locale.ROOT, "%14s", value);
    }

    private static void line(StringBuilder out, String line) {
        out.append(line.stripTrailing()).append('\n');
    }
}
