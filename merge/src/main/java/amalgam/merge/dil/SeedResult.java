package amalgam.merge.dil;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one seed of the study measured. Accuracies are percentages.
 *
 * @param fixed method ({@link DilConfig#fixedMethods}) → W → final accuracy (mean over all four domains)
 * @param adaptive group ({@link AdaptiveRows#group}) → ALG → b_max → final accuracy
 * @param curves method label ("ties adaptive b_max=3") → accuracy on the domains seen, per experience
 * @param traceWeights per experience, the traced merge's learned weight of each adapter so far (the mean over
 *                     modules when there is one weight per adapter and module)
 * @param traceDomainAccuracy per experience, the traced merge's accuracy on each domain seen
 * @param baselines new_lora, joint_lora, random_loras → final accuracy
 */
public record SeedResult(long seed, Map<String, Map<Integer, Double>> fixed,
                         Map<String, Map<String, Map<Integer, Double>>> adaptive,
                         Map<String, double[]> curves, List<double[]> traceWeights,
                         List<Map<String, Double>> traceDomainAccuracy, Map<String, Double> baselines) {

    static SeedResult empty(long seed) {
        return new SeedResult(seed, new LinkedHashMap<>(), new LinkedHashMap<>(), new LinkedHashMap<>(),
                new java.util.ArrayList<>(), new java.util.ArrayList<>(), new LinkedHashMap<>());
    }

    static String fixedLabel(String kind, int w) {
        return kind + " fixed W=" + w;
    }
}
