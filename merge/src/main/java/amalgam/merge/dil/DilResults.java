package amalgam.merge.dil;

import amalgam.merge.adaptive.MergeKind;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The study's results over seeds, as the JSON document of the issue: config, fixed and adaptive final
 * accuracies (mean ± std over seeds, percent, averaged over all four domains), the traced merge's experiences
 * (learned weights and per-domain accuracy, means over seeds) and the baselines. Also the per-experience curves,
 * which the report plots but the JSON leaves out.
 */
public record DilResults(DilConfig config, List<SeedResult> seeds) {

    /** Mean and sample standard deviation (0 for one seed). */
    public record Stat(double mean, double std) {
        static Stat of(List<Double> values) {
            double mean = 0;
            for (double v : values) mean += v;
            mean /= values.size();
            double ss = 0;
            for (double v : values) ss += (v - mean) * (v - mean);
            return new Stat(mean, values.size() > 1 ? Math.sqrt(ss / (values.size() - 1)) : 0);
        }

        Map<String, Object> asMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("mean", mean);
            m.put("std", std);
            return m;
        }
    }

    public Stat fixed(MergeKind kind, int w) {
        return Stat.of(seeds.stream().map(s -> s.fixed().get(kind.cliName()).get(w)).toList());
    }

    public Stat adaptive(MergeKind kind, int bMax) {
        return Stat.of(seeds.stream().map(s -> s.adaptive().get(kind.cliName()).get(bMax)).toList());
    }

    public Stat baseline(String name) {
        return Stat.of(seeds.stream().map(s -> s.baselines().get(name)).toList());
    }

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

    /** Method label → mean accuracy on the domains seen, per experience, averaged over seeds. */
    public Map<String, double[]> curves() {
        Map<String, double[]> out = new LinkedHashMap<>();
        for (SeedResult s : seeds) {
            s.curves().forEach((label, values) -> {
                double[] sum = out.computeIfAbsent(label, k -> new double[values.length]);
                for (int i = 0; i < values.length; i++) sum[i] += values[i] / seeds.size();
            });
        }
        return out;
    }

    public int experiences() {
        return seeds.getFirst().traceWeights().size();
    }

    /** The JSON document, as maps and lists for Jackson. */
    public Map<String, Object> asJson() {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("config", config.asMap());
        Map<String, Object> fixed = new LinkedHashMap<>(), adaptive = new LinkedHashMap<>();
        for (MergeKind kind : MergeKind.values()) {
            Map<String, Object> f = new LinkedHashMap<>(), a = new LinkedHashMap<>();
            for (int w : config.fixedWeights()) f.put(Integer.toString(w), fixed(kind, w).asMap());
            for (int b : config.bMaxValues()) a.put(Integer.toString(b), adaptive(kind, b).asMap());
            fixed.put(kind.cliName(), f);
            adaptive.put(kind.cliName(), a);
        }
        root.put("fixed", fixed);
        root.put("adaptive", adaptive);
        List<Object> experiences = new ArrayList<>();
        for (int t = 0; t < experiences(); t++) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("experience", t + 1);
            e.put("weights", traceWeights(t));
            e.put("domain_accuracy", traceDomainAccuracy(t));
            experiences.add(e);
        }
        root.put("experiences", experiences);
        Map<String, Object> baselines = new LinkedHashMap<>();
        for (String name : List.of("new_lora", "joint_lora", "random_loras")) baselines.put(name, baseline(name).asMap());
        root.put("baselines", baselines);
        return root;
    }
}
