package amalgam.merge.algorithms;

import java.util.Arrays;

/**
 * Eigenvalues, and on request eigenvectors, of a small dense symmetric matrix: Householder reduction to
 * tridiagonal form, then the implicit QL method with Wilkinson's shift (Wilkinson & Reinsch's tred2/tql2 pair).
 *
 * <p>Why not Commons Math's {@code EigenDecomposition}: it always accumulates the eigenvectors, several times the
 * work of the values alone, and the block Krylov SVD asks for the eigenvalues of a growing Gram matrix after
 * every block (up to 320 × 320), needing vectors only once at the end. Those calls were a quarter of the SVD's
 * time in a merge; the values alone cost a quarter of that.
 *
 * @param values  the eigenvalues, descending
 * @param vectors null, or the eigenvectors as columns: vectors[i][c] is entry i of the vector for values[c]
 */
record SymmetricEigenvalues(double[] values, double[][] vectors) {

    private static final int MAX_SWEEPS_PER_EIGENVALUE = 60;

    /** The eigenvalues of the symmetric n × n matrix in the upper-left corner of {@code a}, descending. */
    static double[] of(double[][] a, int n) {
        return decompose(a, n, false).values;
    }

    /** Eigenvalues and eigenvectors of the symmetric n × n matrix in the upper-left corner of {@code a}. */
    static SymmetricEigenvalues withVectors(double[][] a, int n) {
        return decompose(a, n, true);
    }

    private static SymmetricEigenvalues decompose(double[][] a, int n, boolean vectors) {
        double[][] z = new double[n][];
        for (int i = 0; i < n; i++) z[i] = Arrays.copyOf(a[i], n);
        double[] d = new double[n], e = new double[n];
        tridiagonalise(z, n, d, e, vectors);
        // The rotations act on pairs of columns of z: on its transpose they are pairs of contiguous rows.
        double[][] zt = vectors ? transpose(z, n) : null;
        diagonalise(d, e, n, zt);
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Arrays.sort(order, (x, y) -> Double.compare(d[y], d[x]));
        double[] values = new double[n];
        for (int c = 0; c < n; c++) values[c] = d[order[c]];
        if (!vectors) return new SymmetricEigenvalues(values, null);
        double[][] sorted = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < n; c++) sorted[i][c] = zt[order[c]][i];
        }
        return new SymmetricEigenvalues(values, sorted);
    }

    /**
     * Householder reflections, last row first, reduce z (overwritten; its lower triangle is read) to a tridiagonal
     * matrix with diagonal d and off-diagonal e (e[i] couples rows i − 1 and i; e[0] is 0). Row i's reflection
     * zeroes z[i][0 … i − 2]; the rows above are updated as A ← A − u·qᵀ − q·uᵀ on the lower triangle only. With
     * {@code vectors}, z ends as the product of the reflections, the basis the QL rotations then act on.
     */
    private static void tridiagonalise(double[][] z, int n, double[] d, double[] e, boolean vectors) {
        for (int i = n - 1; i > 0; i--) {
            int last = i - 1;
            double h = 0;
            if (last > 0) {
                double scale = 0;
                for (int k = 0; k <= last; k++) scale += Math.abs(z[i][k]);
                if (scale == 0) {
                    e[i] = z[i][last];
                } else {
                    // u = the scaled row i with its last entry shifted by ∓‖row‖, so that (I − u·uᵀ/h) row = ±‖row‖·e.
                    for (int k = 0; k <= last; k++) {
                        z[i][k] /= scale;
                        h += z[i][k] * z[i][k];
                    }
                    double f = z[i][last];
                    double g = f >= 0 ? -Math.sqrt(h) : Math.sqrt(h);
                    e[i] = scale * g;
                    h -= f * g;
                    z[i][last] = f - g;
                    // p = A·u / h (kept in e[0 … last] for now), then q = p − (uᵀp / 2h)·u.
                    double uTp = 0;
                    for (int j = 0; j <= last; j++) {
                        if (vectors) z[j][i] = z[i][j] / h; // u/h, kept in the upper triangle for the accumulation
                        double dot = 0;
                        for (int k = 0; k <= j; k++) dot += z[j][k] * z[i][k];
                        for (int k = j + 1; k <= last; k++) dot += z[k][j] * z[i][k];
                        e[j] = dot / h;
                        uTp += e[j] * z[i][j];
                    }
                    double half = uTp / (h + h);
                    for (int j = 0; j <= last; j++) {
                        double uj = z[i][j];
                        double qj = e[j] - half * uj;
                        e[j] = qj;
                        for (int k = 0; k <= j; k++) z[j][k] -= uj * e[k] + qj * z[i][k];
                    }
                }
            } else {
                e[i] = z[i][last];
            }
            d[i] = h; // the reflection's h, 0 when there was none: read by the accumulation below
        }
        e[0] = 0;
        if (!vectors) {
            for (int i = 0; i < n; i++) d[i] = z[i][i];
            return;
        }
        d[0] = 0;
        for (int i = 0; i < n; i++) {
            if (d[i] != 0) {
                // Apply reflection i to the accumulated columns 0 … i − 1.
                for (int j = 0; j < i; j++) {
                    double g = 0;
                    for (int k = 0; k < i; k++) g += z[i][k] * z[k][j];
                    for (int k = 0; k < i; k++) z[k][j] -= g * z[k][i];
                }
            }
            d[i] = z[i][i];
            z[i][i] = 1;
            for (int j = 0; j < i; j++) {
                z[j][i] = 0;
                z[i][j] = 0;
            }
        }
    }

    /**
     * Implicit QL iterations with Wilkinson's shift on the tridiagonal matrix: leaves its eigenvalues in d, and
     * applies every rotation to the rows of zt (the transposed basis) when given. An off-diagonal entry negligible beside its two
     * diagonal neighbours splits the matrix.
     */
    private static void diagonalise(double[] d, double[] e, int n, double[][] zt) {
        for (int i = 1; i < n; i++) e[i - 1] = e[i];
        if (n > 0) e[n - 1] = 0;
        for (int l = 0; l < n; l++) {
            int sweeps = 0;
            while (true) {
                int m = l;
                for (; m < n - 1; m++) {
                    double size = Math.abs(d[m]) + Math.abs(d[m + 1]);
                    if (Math.abs(e[m]) <= Math.ulp(size)) break;
                }
                if (m == l) break;
                if (++sweeps > MAX_SWEEPS_PER_EIGENVALUE) {
                    throw new ArithmeticException("tridiagonal QL did not converge at row " + l);
                }
                // The shift: the eigenvalue of the leading 2 × 2 block nearer d[l].
                double g = (d[l + 1] - d[l]) / (2 * e[l]);
                double r = Math.hypot(g, 1);
                g = d[m] - d[l] + e[l] / (g + Math.copySign(r, g));
                double s = 1, c = 1, p = 0;
                boolean deflated = false;
                for (int i = m - 1; i >= l; i--) {
                    double f = s * e[i], b = c * e[i];
                    r = Math.hypot(f, g);
                    e[i + 1] = r;
                    if (r == 0) {
                        // Underflow: the rotation is the identity; deflate and start this l again.
                        d[i + 1] -= p;
                        e[m] = 0;
                        deflated = true;
                        break;
                    }
                    s = f / r;
                    c = g / r;
                    g = d[i + 1] - p;
                    r = (d[i] - g) * s + 2 * c * b;
                    p = s * r;
                    d[i + 1] = g + p;
                    g = c * r - b;
                    if (zt != null) rotate(zt[i], zt[i + 1], c, s, n);
                }
                if (deflated) continue;
                d[l] -= p;
                e[l] = g;
                e[m] = 0;
            }
        }
    }

    /** (x, y) ← (c·x − s·y, s·x + c·y), entry by entry. */
    private static void rotate(double[] x, double[] y, double c, double s, int n) {
        for (int k = 0; k < n; k++) {
            double xk = x[k], yk = y[k];
            y[k] = s * xk + c * yk;
            x[k] = c * xk - s * yk;
        }
    }

    private static double[][] transpose(double[][] z, int n) {
        double[][] t = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) t[j][i] = z[i][j];
        }
        return t;
    }
}
