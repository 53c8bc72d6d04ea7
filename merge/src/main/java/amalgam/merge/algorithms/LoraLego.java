package amalgam.merge.algorithms;

import org.apache.commons.math3.ml.clustering.CentroidCluster;
import org.apache.commons.math3.ml.clustering.KMeansPlusPlusClusterer;
import org.apache.commons.math3.ml.distance.EuclideanDistance;
import org.apache.commons.math3.random.JDKRandomGenerator;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * LoRA-LEGO: pool the rank slices (minimal semantic units) of all adapters, cluster them into K groups with
 * seeded k-means++ on their directions, and use each cluster's mean raw [a ; b] as one rank slice of the merged
 * LoRA (rank K).
 *
 * <p>Dual reweighting, both switchable because the paper's exact formulas were not available: parameter
 * reweighting rescales each centroid's a and b to the mean norm of its members' ({@link LegoReweighting});
 * output reweighting multiplies the merged update by √(r/K), r the largest source rank, applied to B.
 * Units are sorted by content before clustering, so reordering an adapter's rank slices changes nothing.
 */
public final class LoraLego {

    /** k-means iterations: Lloyd's algorithm on a few hundred units converges in far fewer. */
    private static final int MAX_ITERATIONS = 300;

    private final int clusters;
    private final long seed;
    private final LegoReweighting parameterReweighting;
    private final boolean outputReweighting;

    public LoraLego(int clusters, long seed, LegoReweighting parameterReweighting, boolean outputReweighting) {
        if (clusters < 1) throw new IllegalArgumentException("--clusters: must be at least 1, got " + clusters);
        this.clusters = clusters;
        this.seed = seed;
        this.parameterReweighting = parameterReweighting;
        this.outputReweighting = outputReweighting;
    }

    public LowRankUpdate merge(List<LowRankUpdate> updates, double[] weights, Arena arena) {
        Weights.check(updates, weights);
        List<LegoUnit> units = new ArrayList<>();
        for (int i = 0; i < updates.size(); i++) {
            for (int j = 0; j < updates.get(i).rank(); j++) units.add(LegoUnit.of(updates.get(i), weights[i], j, i));
        }
        if (clusters > units.size()) {
            throw new IllegalArgumentException("--clusters: " + clusters + " clusters for only " + units.size()
                    + " rank slices in all adapters");
        }
        units.sort(LegoUnit::canonicalOrder);
        KMeansPlusPlusClusterer<LegoUnit> kmeans = new KMeansPlusPlusClusterer<>(
                clusters, MAX_ITERATIONS, new EuclideanDistance(), new JDKRandomGenerator((int) (seed ^ (seed >>> 32))));
        List<List<LegoUnit>> groups = new ArrayList<>();
        for (CentroidCluster<LegoUnit> c : kmeans.cluster(units)) groups.add(c.getPoints());
        // Clusters in the order of their first member, so the output slice order is reproducible too.
        groups.removeIf(List::isEmpty);
        groups.sort(Comparator.comparingInt(g -> units.indexOf(g.getFirst())));

        int in = updates.getFirst().inFeatures(), out = updates.getFirst().outFeatures();
        int maxRank = updates.stream().mapToInt(LowRankUpdate::rank).max().orElseThrow();
        double outputScale = outputReweighting ? Math.sqrt((double) maxRank / clusters) : 1;
        DenseMatrix a = DenseMatrix.zeros(arena, clusters, in);
        DenseMatrix b = DenseMatrix.zeros(arena, out, clusters);
        for (int k = 0; k < groups.size(); k++) {
            double[] centroid = centroid(groups.get(k), in, out);
            for (int x = 0; x < in; x++) a.set(k, x, (float) centroid[x]);
            for (int y = 0; y < out; y++) b.set(y, k, (float) (outputScale * centroid[in + y]));
        }
        return new LowRankUpdate(b, a, 1);
    }

    /** Mean of the members' raw [a ; b], each half rescaled to its members' mean norm when reweighting. */
    private double[] centroid(List<LegoUnit> members, int in, int out) {
        double[] mean = new double[in + out];
        for (LegoUnit u : members) {
            for (int i = 0; i < mean.length; i++) mean[i] += u.raw()[i] / members.size();
        }
        if (parameterReweighting != LegoReweighting.NONE) {
            rescaleToMeanNorm(mean, 0, in, members);
            rescaleToMeanNorm(mean, in, out, members);
        }
        return mean;
    }

    private void rescaleToMeanNorm(double[] centroid, int from, int length, List<LegoUnit> members) {
        double target = 0;
        for (LegoUnit u : members) target += parameterReweighting.norm(u.raw(), from, length) / members.size();
        double current = parameterReweighting.norm(centroid, from, length);
        if (current == 0) return;
        for (int i = from; i < from + length; i++) centroid[i] *= target / current;
    }
}
