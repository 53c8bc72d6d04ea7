package amalgam.merge.algorithms;

/**
 * Thin QR factorisation X = Q·R of a tall m × k matrix in double: modified Gram–Schmidt with a
 * reorthogonalisation pass for every column the first pass cancelled heavily ("twice is enough"), so Q is
 * orthonormal to working precision even for the nearly dependent columns that stacked LoRA factors often have.
 * A column that is dependent on the previous ones gets a zero column in Q and a zero on R's diagonal: X = Q·R
 * still holds, and the SVD of the core that follows sees only the independent directions.
 */
record ThinQr(ColumnMajorMatrix q, double[][] r) {

    // Below this fraction of its original norm, what is left of a column is rounding noise, not a direction.
    private static final double DEPENDENT = 1e-13;
    /**
     * A pass that keeps more than this share of the column's norm cancelled too little to lose orthogonality
     * (Daniel, Gragg, Kaufman and Stewart's criterion, 1/√2), so the second pass runs only after heavy
     * cancellation: nearly dependent columns get it always, the well-conditioned blocks of the randomized SVD
     * seldom, which halves the cost of their QRs.
     */
    private static final double KEPT_WITHOUT_SECOND_PASS = Math.sqrt(0.5);

    static ThinQr of(ColumnMajorMatrix x) {
        int m = x.rows(), k = x.cols();
        double[] q = x.data().clone();
        double[][] r = new double[k][k];
        for (int j = 0; j < k; j++) {
            int cj = j * m;
            double original = norm(q, cj, m);
            double remaining = original;
            for (int pass = 0; pass < 2 && j > 0; pass++) {
                for (int i = 0; i < j; i++) {
                    int ci = i * m;
                    double dot = dot(q, ci, cj, m);
                    for (int t = 0; t < m; t++) q[cj + t] -= dot * q[ci + t];
                    r[i][j] += dot;
                }
                double projected = norm(q, cj, m);
                boolean cancelled = projected < KEPT_WITHOUT_SECOND_PASS * remaining;
                remaining = projected;
                if (!cancelled) break;
            }
            if (remaining <= DEPENDENT * original || remaining == 0) {
                for (int t = 0; t < m; t++) q[cj + t] = 0;
                continue;
            }
            r[j][j] = remaining;
            for (int t = 0; t < m; t++) q[cj + t] /= remaining;
        }
        return new ThinQr(new ColumnMajorMatrix(m, k, q), r);
    }

    private static double norm(double[] v, int from, int length) {
        return Math.sqrt(dot(v, from, from, length));
    }

    /**
     * Σ v[x + t]·v[y + t] over t < length, in four interleaved partial sums: the JIT keeps a floating-point sum
     * in order and so cannot vectorise one accumulator, whose every addition would wait for the previous one.
     */
    private static double dot(double[] v, int x, int y, int length) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int t = 0;
        for (; t + 4 <= length; t += 4) {
            s0 += v[x + t] * v[y + t];
            s1 += v[x + t + 1] * v[y + t + 1];
            s2 += v[x + t + 2] * v[y + t + 2];
            s3 += v[x + t + 3] * v[y + t + 3];
        }
        for (; t < length; t++) s0 += v[x + t] * v[y + t];
        return (s0 + s1) + (s2 + s3);
    }
}
