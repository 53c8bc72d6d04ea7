package amalgam.merge.algorithms;

import java.util.Arrays;

/**
 * The fraction of entries where two updates ΔX = s_x B_x A_x and ΔY agree in sign, counted over the entries
 * where both are nonzero (a zero casts no vote in a TIES sign election) — what a user checks before choosing
 * TIES. Every entry when the module has at most {@code maxEntries}; otherwise whole rows, evenly spaced, about
 * {@code maxEntries} entries' worth, so a 4096 × 4096 module costs a few hundred rows, not sixteen million terms.
 *
 * @param agreement the fraction agreeing, NaN when no entry is nonzero in both
 * @param rows      the rows of ΔW compared (all of them, or the sample)
 * @param compared  the entries nonzero in both, over which {@code agreement} is taken
 */
public record SignAgreement(double agreement, int rows, long compared) {

    public boolean sampled(LowRankUpdate x) {
        return rows < x.outFeatures();
    }

    public static SignAgreement of(LowRankUpdate x, LowRankUpdate y, long maxEntries) {
        if (x.outFeatures() != y.outFeatures() || x.inFeatures() != y.inFeatures()) {
            throw new IllegalArgumentException("updates of different shapes");
        }
        int out = x.outFeatures(), in = x.inFeatures();
        int rows = (int) Math.clamp(maxEntries / in, 1, out);
        float[] ax = x.a().toArray(), ay = y.a().toArray();
        double[] rowX = new double[in], rowY = new double[in];
        long agree = 0, compared = 0;
        for (int s = 0; s < rows; s++) {
            // Centred in each of `rows` equal bands, so a sample covers the whole matrix (and all rows are row s).
            int row = (int) (((long) s * 2 + 1) * out / (2L * rows));
            deltaRow(x, ax, row, rowX);
            deltaRow(y, ay, row, rowY);
            for (int c = 0; c < in; c++) {
                if (rowX[c] == 0 || rowY[c] == 0) continue;
                compared++;
                if ((rowX[c] > 0) == (rowY[c] > 0)) agree++;
            }
        }
        return new SignAgreement(compared == 0 ? Double.NaN : (double) agree / compared, rows, compared);
    }

    /** Row {@code row} of s·B·A into {@code target}. */
    private static void deltaRow(LowRankUpdate u, float[] a, int row, double[] target) {
        Arrays.fill(target, 0);
        int in = u.inFeatures();
        for (int k = 0; k < u.rank(); k++) {
            double b = u.scale() * u.b().get(row, k);
            if (b == 0) continue;
            int base = k * in;
            for (int c = 0; c < in; c++) target[c] += b * a[base + c];
        }
    }
}
