package amalgam.merge.algorithms;

import org.apache.commons.math3.linear.SingularValueDecomposition;

/**
 * What {@code merge} and {@code inspect} measure on updates ΔW = s·B·A, from the factors only: never the dense
 * out × in matrix, so a module of any size costs O((out + in)·r²). Accumulates in double.
 */
public final class LowRankOps {

    private LowRankOps() {}

    /** ⟨ΔX, ΔY⟩_F = s_x s_y · trace((B_xᵀ B_y)(A_y A_xᵀ)): two small Gram products instead of out × in terms. */
    public static double inner(LowRankUpdate x, LowRankUpdate y) {
        requireSameShape(x, y);
        int rx = x.rank(), ry = y.rank(), out = x.outFeatures(), in = x.inFeatures();
        // On arrays, not element by element on the segments: one-shot commands (merge's energy check, inspect)
        // run this cold, where a segment access costs many times an array's.
        float[] bx = x.b().toArray(), by = y.b().toArray(), ax = x.a().toArray(), ay = y.a().toArray();
        double[][] bb = new double[rx][ry]; // B_xᵀ B_y
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < rx; i++) {
                double v = bx[o * rx + i];
                if (v == 0) continue;
                double[] row = bb[i];
                for (int j = 0; j < ry; j++) row[j] += v * by[o * ry + j];
            }
        }
        double trace = 0;
        for (int i = 0; i < rx; i++) {
            for (int j = 0; j < ry; j++) {
                if (bb[i][j] == 0) continue;
                double aa = 0; // (A_y A_xᵀ)[j][i] = row j of A_y · row i of A_x
                for (int c = 0; c < in; c++) aa += (double) ay[j * in + c] * ax[i * in + c];
                trace += bb[i][j] * aa;
            }
        }
        return x.scale() * y.scale() * trace;
    }

    /** ‖ΔW‖²_F. Rounding can push a zero update's value slightly negative, hence the clamp. */
    public static double normSquared(LowRankUpdate u) {
        return Math.max(0, inner(u, u));
    }

    /** cos(ΔX, ΔY) = ⟨ΔX, ΔY⟩ / (‖ΔX‖ ‖ΔY‖); NaN when either update is zero, which has no direction. */
    public static double cosine(LowRankUpdate x, LowRankUpdate y) {
        double norms = Math.sqrt(normSquared(x) * normSquared(y));
        return norms == 0 ? Double.NaN : Math.clamp(inner(x, y) / norms, -1, 1);
    }

    /**
     * The singular values of s·B·A, largest first (r of them, zeros where the factors are dependent): with thin
     * QRs B = Q_B R_B and Aᵀ = Q_A R_A, s·B·A = Q_B (s·R_B R_Aᵀ) Q_Aᵀ, so they are those of the r × r core.
     */
    public static double[] singularValues(LowRankUpdate u) {
        ColumnMajorMatrix left = ColumnMajorMatrix.from(u.b(), u.scale());
        ColumnMajorMatrix right = ColumnMajorMatrix.zeros(u.inFeatures(), u.rank());
        ColumnMajorMatrix.copyInto(u.a(), 1, true, right, 0);
        return singularValues(left, right);
    }

    /** The singular values of L·Rᵀ, largest first, through the core of {@link FactoredSvd}. */
    static double[] singularValues(ColumnMajorMatrix left, ColumnMajorMatrix right) {
        return new SingularValueDecomposition(FactoredSvd.core(ThinQr.of(left).r(), ThinQr.of(right).r()))
                .getSingularValues();
    }

    private static void requireSameShape(LowRankUpdate x, LowRankUpdate y) {
        if (x.outFeatures() != y.outFeatures() || x.inFeatures() != y.inFeatures()) {
            throw new IllegalArgumentException("updates are " + x.outFeatures() + "×" + x.inFeatures() + " and "
                    + y.outFeatures() + "×" + y.inFeatures());
        }
    }
}
