package amalgam.merge.cli;

import amalgam.merge.adapter.LoraModule;
import amalgam.merge.inspect.AdapterComparison;
import amalgam.merge.inspect.ModuleComparison;
import amalgam.merge.inspect.ModuleComparison.Status;
import amalgam.merge.inspect.PairMeasure;
import amalgam.merge.inspect.PairSummary;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * What {@code amalgam inspect A B …} prints: per module and pair of adapters the cosine of their updates and
 * their sign agreement, the modules not compared and why, and per pair the means and what they mean for TIES.
 */
record ComparisonReport(AdapterComparison comparison) {

    /** What the sign agreement counts, for scripts: a sample should not be mistaken for the exact share. */
    String signsCounted() {
        return "share of the entries nonzero in both updates whose signs agree; every entry of a module with at most "
                + comparison.maxSignEntries() + " entries, else whole rows evenly spaced, about that many entries";
    }

    void printText(PrintWriter out) {
        List<Path> adapters = comparison.adapters();
        for (int i = 0; i < adapters.size(); i++) {
            out.println((i == 0 ? "adapters     " : "             ") + "#" + (i + 1) + "  " + adapters.get(i));
        }
        out.println("modules      " + comparison.count(Status.COMPARED) + " compared of " + comparison.modules().size()
                + notCompared());
        out.println("signs agree  share of the entries nonzero in both whose signs agree; rows: all = every entry, "
                + "N of M = N evenly spaced rows, for modules over " + comparison.maxSignEntries()
                + " entries (--sign-entries)");
        out.println();
        TextTable table = new TextTable(true, false, false, true, false, false, false)
                .add("module", "out x in", "ranks", "pair", "cosine", "signs agree", "rows");
        for (ModuleComparison m : comparison.modules()) {
            if (m.status() != Status.COMPARED) continue;
            LoraModule first = m.modules().getFirst();
            String ranks = String.join(",", m.modules().stream().map(x -> Integer.toString(x.rank())).toList());
            for (PairMeasure p : m.pairs()) {
                table.add(m.name(), first.outFeatures() + " x " + first.inFeatures(), ranks, pair(p.first(), p.second()),
                        measure(p.cosine()), measure(p.signs().agreement()),
                        p.sampled() ? p.signs().rows() + " of " + first.outFeatures() : "all");
            }
        }
        table.print(out);
        if (comparison.count(Status.COMPARED) < comparison.modules().size()) {
            out.println();
            out.println("not compared");
            TextTable skipped = new TextTable(true, true);
            for (ModuleComparison m : comparison.modules()) {
                if (m.status() != Status.COMPARED) skipped.add("  " + m.name(), m.reason());
            }
            skipped.print(out);
        }
        out.println();
        TextTable pairs = new TextTable(true, false, false, false, true)
                .add("pair", "modules", "mean cosine", "mean signs agree", "for TIES");
        for (PairSummary p : comparison.pairs()) {
            pairs.add(pair(p.first(), p.second()), Integer.toString(p.modules()), measure(p.meanCosine()),
                    measure(p.meanSignAgreement()), p.tiesAdvice());
        }
        pairs.print(out);
    }

    private String notCompared() {
        StringBuilder s = new StringBuilder();
        long missing = comparison.count(Status.MISSING), differ = comparison.count(Status.SHAPES_DIFFER),
                wide = comparison.count(Status.TOO_WIDE);
        if (missing > 0) s.append("; ").append(missing).append(" not in every adapter");
        if (differ > 0) s.append("; ").append(differ).append(" with different shapes");
        if (wide > 0) s.append("; ").append(wide).append(" too wide");
        long notFinite = comparison.count(Status.NOT_FINITE);
        if (notFinite > 0) s.append("; ").append(notFinite).append(" with weights not finite");
        return s.toString();
    }

    String json() {
        ObjectNode root = Json.object();
        ArrayNode adapters = root.putArray("adapters");
        comparison.adapters().forEach(a -> adapters.add(a.toAbsolutePath().normalize().toString()));
        ObjectNode signs = root.putObject("sign_agreement");
        signs.put("max_entries", comparison.maxSignEntries());
        signs.put("counts", signsCounted());
        ArrayNode modules = root.putArray("modules");
        for (ModuleComparison m : comparison.modules()) {
            ObjectNode node = modules.addObject();
            node.put("name", m.name());
            node.put("status", m.status().jsonName());
            if (m.reason() != null) node.put("reason", m.reason());
            ArrayNode present = node.putArray("present_in");
            m.presentIn().forEach(present::add);
            ArrayNode shapes = node.putArray("shapes");
            for (LoraModule x : m.modules()) {
                if (x == null) {
                    shapes.addNull();
                    continue;
                }
                ObjectNode shape = shapes.addObject();
                shape.put("kind", InspectReport.kind(x));
                shape.put("out_features", x.outFeatures());
                shape.put("in_features", x.inFeatures());
                shape.put("rank", x.rank());
            }
            ArrayNode pairs = node.putArray("pairs");
            for (PairMeasure p : m.pairs()) {
                ObjectNode pair = pairs.addObject();
                pair.putArray("adapters").add(p.first()).add(p.second());
                Json.put(pair, "cosine", p.cosine());
                Json.put(pair, "sign_agreement", p.signs().agreement());
                pair.put("sign_agreement_exact", !p.sampled());
                pair.put("rows_compared", p.signs().rows());
                pair.put("entries_compared", p.signs().compared());
            }
        }
        ObjectNode summary = root.putObject("summary");
        summary.put("modules", comparison.modules().size());
        for (Status status : Status.values()) summary.put(status.jsonName(), comparison.count(status));
        ArrayNode pairs = summary.putArray("pairs");
        for (PairSummary p : comparison.pairs()) {
            ObjectNode pair = pairs.addObject();
            pair.putArray("adapters").add(p.first()).add(p.second());
            pair.put("modules", p.modules());
            Json.put(pair, "mean_cosine", p.meanCosine());
            Json.put(pair, "mean_sign_agreement", p.meanSignAgreement());
            pair.put("sampled_modules", p.sampledModules());
            pair.put("ties", p.tiesAdvice());
        }
        return Json.write(root);
    }

    /** Adapters are numbered from 1 in the text, as a user counts the paths they typed. */
    private static String pair(int first, int second) {
        return "#" + (first + 1) + "-#" + (second + 1);
    }

    /** Three decimals: cosines and shares are compared by eye; NaN (a zero update) has no value. */
    private static String measure(double value) {
        return Double.isNaN(value) ? "-" : String.format(Locale.ROOT, "%.3f", value);
    }
}
