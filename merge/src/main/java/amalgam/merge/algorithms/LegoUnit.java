package amalgam.merge.algorithms;

import org.apache.commons.math3.ml.clustering.Clusterable;

/**
 * A minimal semantic unit of LoRA-LEGO: one rank slice (b = w·s·B[:, j], a = A[j, :]) of one adapter, whose
 * update is b·aᵀ. {@code raw} is [a ; b]; the clustering feature is [a/‖a‖ ; b/‖b‖], so units cluster by
 * direction, not by size.
 */
record LegoUnit(double[] raw, int in, int adapter, double[] feature) implements Clusterable {

    static LegoUnit of(LowRankUpdate update, double weight, int slice, int adapter) {
        int in = update.inFeatures(), out = update.outFeatures();
        double c = weight * update.scale();
        double[] raw = new double[in + out];
        for (int x = 0; x < in; x++) raw[x] = update.a().get(slice, x);
        for (int y = 0; y < out; y++) raw[in + y] = c * update.b().get(y, slice);
        double[] feature = raw.clone();
        normalise(feature, 0, in);
        normalise(feature, in, out);
        return new LegoUnit(raw, in, adapter, feature);
    }

    private static void normalise(double[] v, int from, int length) {
        double norm = LegoReweighting.L2.norm(v, from, length);
        if (norm == 0) return;
        for (int i = from; i < from + length; i++) v[i] /= norm;
    }

    @Override
    public double[] getPoint() {
        return feature;
    }

    /** Orders units by content (then adapter), so that the clustering never depends on slice order. */
    static int canonicalOrder(LegoUnit x, LegoUnit y) {
        int byContent = java.util.Arrays.compare(x.raw, y.raw);
        return byContent != 0 ? byContent : Integer.compare(x.adapter, y.adapter);
    }
}
