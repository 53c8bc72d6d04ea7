package amalgam.merge.dil;

import amalgam.merge.algorithms.MergeMethod;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The study's results over seeds, as the JSON document of the issue: the tool that produced them, config, fixed
 * and adaptive final accuracies (mean ± std over seeds and each seed's value, percent, averaged over all four
 * domains), the traced merge's experiences (learned weights and per-domain accuracy, means over seeds) and the
 * baselines. Also the per-experience curves, which the report plots but the JSON leaves out.
 *
 * @param tool what produced the results ({@code version}, {@code commit}), written first in the JSON
 */
public record DilResults(DilConfig config, List<SeedResult> seeds, Map<String, String> tool) {

    public DilResults(DilConfig config, List<SeedResult> seeds) {
        this(config, seeds, Map.of());
    }

    /** Mean, sample standard deviation (0 for one seed) and the values themselves, in seed order. */
    public record Stat(double mean, double std, List<Double> values) {
        public static Stat of(List<Double> values) {
            double mean = 0;
            for (double v : values) mean += v;
            mean /= values.size();
            double ss = 0;
            for (double v : values) ss += (v - mean) * (v - mean);
            return new Stat(mean, values.size() > 1 ? Math.sqrt(ss / (values.size() - 1)) : 0, List.copyOf(values));
        }

        public Map<String, Object> asMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("mean", mean);
            m.put("std", std);
            m.put("values", values);
            return m;
        }
    }

    /** A fixed-W row ({@link DilConfig#fixedMethods}) at weight W. */
    public Stat fixed(String method, int w) {
        return Stat.of(seeds.stream().map(s -> s.fixed().get(method).get(w)).toList());
    }

    /** An adaptive row of {@code group} ({@link AdaptiveRows#group}) at b_max. */
    public Stat adaptive(String group, MergeMethod kind, int bMax) {
        return Stat.of(seeds.stream().map(s -> s.adaptive().get(group).get(kind.reportName()).get(bMax)).toList());
    }

    public Stat baseline(String name) {
        return Stat.of(seeds.stream().map(s -> s.baselines().get(name)).toList());
    }

    /** The baselines, in table order. */
    public static final List<String> BASELINES = List.of("new_lora", "joint_lora", "random_loras");

    /** The traced merge's weight of each adapter at experience t (0-based), averaged over seeds. */
    public double[] traceWeights(int t) {
        double[] out = new double[t + 1];
        for (SeedResult s : seeds) for (int i = 0; i <= t; i++) out[i] += s.traceWeights().get(t)[i] / seeds.size();
        return out;
    }

    /** The traced merge's accuracy per seen domain at experience t, averaged over seeds. */
    public Map<String, Double> traceDomainAccuracy(int t) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (SeedResult s : seeds) s.traceDomainAccuracy().get(t).forEach((d, a) -> out.merge(d, a / seeds.size(), Double::sum));
        return out;
    }

    /** Method label → accuracy on the domains seen per experience, mean and std over seeds ([0] mean, [1] std). */
    public Map<String, double[][]> curves() {
        Map<String, double[][]> out = new LinkedHashMap<>();
        for (String label : seeds.getFirst().curves().keySet()) {
            int points = seeds.getFirst().curves().get(label).length;
            double[][] stats = new double[2][points];
            for (int t = 0; t < points; t++) {
                int point = t;
                Stat stat = Stat.of(seeds.stream().map(s -> s.curves().get(label)[point]).toList());
                stats[0][t] = stat.mean();
                stats[1][t] = stat.std();
            }
            out.put(label, stats);
        }
        return out;
    }

    public int experiences() {
        return seeds.getFirst().traceWeights().size();
    }

    /** The JSON document, as maps and lists for Jackson. */
    public Map<String, Object> asJson() {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("tool", tool);
        root.put("config", config.asMap());
        Map<String, Object> fixed = new LinkedHashMap<>();
        for (String method : config.fixedMethods()) {
            Map<String, Object> f = new LinkedHashMap<>();
            for (int w : config.fixedWeights()) f.put(Integer.toString(w), fixed(method, w).asMap());
            fixed.put(method, f);
        }
        root.put("fixed", fixed);
        for (AdaptiveRows rows : config.adaptiveRows()) {
            Map<String, Object> adaptive = new LinkedHashMap<>();
            for (MergeMethod kind : MergeMethod.learnable()) {
                Map<String, Object> a = new LinkedHashMap<>();
                for (int b : config.bMaxValues()) a.put(Integer.toString(b), adaptive(rows.group(), kind, b).asMap());
                adaptive.put(kind.reportName(), a);
            }
            root.put(rows.group(), adaptive);
        }
        List<Object> experiences = new ArrayList<>();
        for (int t = 0; t < experiences(); t++) {
            int experience = t;
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("experience", t + 1);
            e.put("weights", traceWeights(t));
            e.put("weights_per_seed", seeds.stream().map(s -> s.traceWeights().get(experience)).toList());
            e.put("domain_accuracy", traceDomainAccuracy(t));
            experiences.add(e);
        }
        root.put("experiences", experiences);
        Map<String, Object> baselines = new LinkedHashMap<>();
        for (String name : BASELINES) baselines.put(name, baseline(name).asMap());
        root.put("baselines", baselines);
        return root;
    }
}
