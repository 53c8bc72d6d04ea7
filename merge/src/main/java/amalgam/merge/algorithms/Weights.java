package amalgam.merge.algorithms;

import java.util.List;

/** Checks shared by the low-rank merges: one finite weight per adapter, all updates of one module's shape. */
final class Weights {

    private Weights() {}

    static void check(List<LowRankUpdate> updates, double[] weights) {
        if (updates.isEmpty()) throw new IllegalArgumentException("no adapters to merge");
        if (updates.size() != weights.length) {
            throw new IllegalArgumentException("--weights: " + weights.length + " weights for "
                    + updates.size() + " adapters");
        }
        for (double w : weights) {
            if (!Double.isFinite(w)) throw new IllegalArgumentException("--weights: not a finite number: " + w);
        }
        LowRankUpdate first = updates.getFirst();
        for (LowRankUpdate u : updates) {
            if (u.outFeatures() != first.outFeatures() || u.inFeatures() != first.inFeatures()) {
                throw new IllegalArgumentException("adapters disagree on the module shape: "
                        + first.outFeatures() + "×" + first.inFeatures() + " vs "
                        + u.outFeatures() + "×" + u.inFeatures());
            }
        }
    }
}
