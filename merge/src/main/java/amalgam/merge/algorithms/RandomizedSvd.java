package amalgam.merge.algorithms;

import amalgam.kernels.FloatSegments;
import amalgam.kernels.Gemm;

import java.lang.foreign.Arena;
import java.util.SplittableRandom;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.SingularValueDecomposition;

/**
 * Truncated SVD of a dense matrix (a merged ΔW) by a randomized range finder (Halko, Martinsson & Tropp):
 * Y = X·Ω for a Gaussian Ω with R + p columns, power iterations Y = X·(Xᵀ·Y) re-orthonormalised each half step
 * so small singular values are not lost to rounding, then X ≈ Q·(Qᵀ·X), whose factored form goes to
 * {@link FactoredSvd}. The GEMMs (all the O(m·n) work) run on the backend; the orthonormalisations in double.
 * Matrices whose smaller side is within R + p are decomposed exactly instead.
 *
 * <p>The number of power iterations adapts to the spectrum. A fixed two met the 0.1% excess-error target of
 * docs/merging.md on decaying spectra but missed it several times over on pruned deltas, whose spectra are flat
 * (TIES at d = 0.2: 4–7·10⁻³). Each iteration's Zᵀ = QᵀX gives the energy the rank-R truncation captures,
 * E = Σ_{i≤R} σ_i(Z)², which only grows towards the optimum's; its growth per iteration, extrapolated
 * geometrically, estimates what is still missing, and the iterations stop once that bounds the excess error of
 * the result well under the target.
 */
public final class RandomizedSvd {

    /** At least this many extra sampled directions; with p ≥ R the gap σ_R / σ_{R+p+1} a flat spectrum needs. */
    static final int MIN_OVERSAMPLING = 10;
    /** The excess error allowed, relative to ‖X‖_F: (‖X − X̂_R‖ − ‖X − X_R‖) / ‖X‖ (docs/merging.md). */
    public static final double TARGET_EXCESS = 1e-3;
    /** The share of the target the estimate must stay under, since extrapolating the growth can fall short. */
    private static final double SAFETY = 0.25;
    /** A bound on the work of a spectrum too flat to converge (pure noise): then the best found is returned. */
    static final int MAX_POWER_ITERATIONS = 30;

    private final Gemm gemm;
    private final long seed;
    private int lastIterations;

    public RandomizedSvd(Gemm gemm, long seed) {
        this.gemm = gemm;
        this.seed = seed;
    }

    /** The rank-{@code rank} approximation of x as B = U_R Σ_R, A = V_Rᵀ, owned by {@code arena}. */
    public LowRankUpdate truncate(DenseMatrix x, int rank, Arena arena) {
        int m = x.rows(), n = x.cols();
        int samples = rank + Math.max(MIN_OVERSAMPLING, rank);
        lastIterations = 0;
        if (samples >= Math.min(m, n)) return exact(x, rank, arena);
        double norm = Math.sqrt(squaredNorm(x));
        try (Arena scratch = Arena.ofConfined()) {
            DenseMatrix omega = gaussian(scratch, n, samples);
            ColumnMajorMatrix q = orthonormal(multiply(false, x, omega, scratch));
            ColumnMajorMatrix z = ColumnMajorMatrix.from(multiply(true, x, q.toDense(scratch), scratch), 1);
            ThinQr zqr = ThinQr.of(z);
            double captured = capturedEnergy(zqr, rank), growth = Double.NaN;
            for (int i = 0; i < MAX_POWER_ITERATIONS; i++) {
                q = orthonormal(multiply(false, x, zqr.q().toDense(scratch), scratch));
                z = ColumnMajorMatrix.from(multiply(true, x, q.toDense(scratch), scratch), 1);
                zqr = ThinQr.of(z);
                double now = capturedEnergy(zqr, rank);
                double previousGrowth = growth;
                growth = now - captured;
                captured = now;
                lastIterations = i + 1;
                if (converged(growth, previousGrowth, norm * norm - captured, norm)) break;
            }
            // X ≈ Q · (Qᵀ X) = Q · Zᵀ.
            return FactoredSvd.truncate(q, z, rank, arena);
        }
    }

    /** Power iterations the last {@link #truncate} ran (0 when it decomposed exactly): for tests and profiling. */
    int lastIterations() {
        return lastIterations;
    }

    /**
     * Whether the energy still missing, extrapolated from the last two growths as a geometric series, bounds the
     * excess error under the target: the excess is at most min(gap / residual, √gap) for an energy gap "gap".
     * A growth that is not positive means rounding has taken over, and more iterations would only add noise.
     */
    private static boolean converged(double growth, double previousGrowth, double residualSquared, double norm) {
        if (!(growth > 0)) return true;
        if (!(previousGrowth > 0)) return false;
        double ratio = growth / previousGrowth;
        if (ratio >= 1) return false;
        double gap = growth * ratio / (1 - ratio);
        double residual = Math.sqrt(Math.max(residualSquared, 0));
        double bound = Math.min(residual > 0 ? gap / residual : Double.POSITIVE_INFINITY, Math.sqrt(gap));
        return bound <= SAFETY * TARGET_EXCESS * norm;
    }

    /** Σ_{i≤R} σ_i² of Z = Q_Z R_Z: the singular values are R_Z's, an s × s matrix. */
    private static double capturedEnergy(ThinQr zqr, int rank) {
        double[] sigma = new SingularValueDecomposition(new Array2DRowRealMatrix(zqr.r(), false)).getSingularValues();
        double energy = 0;
        for (int i = 0; i < Math.min(rank, sigma.length); i++) energy += sigma[i] * sigma[i];
        return energy;
    }

    private static double squaredNorm(DenseMatrix x) {
        long count = (long) x.rows() * x.cols();
        double sum = 0;
        for (long i = 0; i < count; i++) {
            double v = FloatSegments.get(x.data(), i);
            sum += v * v;
        }
        return sum;
    }

    /** X = X · I (or I · X for wide matrices): the factored SVD on the smaller side is then exact. */
    private static LowRankUpdate exact(DenseMatrix x, int rank, Arena arena) {
        if (x.cols() <= x.rows()) {
            return FactoredSvd.truncate(ColumnMajorMatrix.from(x, 1), ColumnMajorMatrix.identity(x.cols()), rank, arena);
        }
        ColumnMajorMatrix xt = ColumnMajorMatrix.zeros(x.cols(), x.rows());
        ColumnMajorMatrix.copyInto(x, 1, true, xt, 0);
        return FactoredSvd.truncate(ColumnMajorMatrix.identity(x.rows()), xt, rank, arena);
    }

    /** X · y (m × s) or Xᵀ · y (n × s). */
    private DenseMatrix multiply(boolean transposeX, DenseMatrix x, DenseMatrix y, Arena arena) {
        int rows = transposeX ? x.cols() : x.rows();
        int inner = transposeX ? x.rows() : x.cols();
        DenseMatrix out = DenseMatrix.zeros(arena, rows, y.cols());
        gemm.gemm(transposeX, false, rows, y.cols(), inner, 1f, x.data(), 0, x.cols(),
                y.data(), 0, y.cols(), 0f, out.data(), 0, out.cols());
        return out;
    }

    private static ColumnMajorMatrix orthonormal(DenseMatrix y) {
        return ThinQr.of(ColumnMajorMatrix.from(y, 1)).q();
    }

    private DenseMatrix gaussian(Arena arena, int rows, int cols) {
        SplittableRandom random = new SplittableRandom(seed);
        DenseMatrix omega = DenseMatrix.zeros(arena, rows, cols);
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) omega.set(i, j, (float) random.nextGaussian());
        }
        return omega;
    }
}
