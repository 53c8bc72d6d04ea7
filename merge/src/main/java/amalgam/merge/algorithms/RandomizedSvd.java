package amalgam.merge.algorithms;

import amalgam.kernels.Gemm;

import java.lang.foreign.Arena;
import java.util.SplittableRandom;

/**
 * Truncated SVD of a dense matrix (a merged ΔW) by a randomized range finder (Halko, Martinsson & Tropp):
 * Y = X·Ω for a Gaussian Ω with R + p columns, a few power iterations Y = X·(Xᵀ·Y) re-orthonormalised each
 * half step so small singular values are not lost to rounding, then X ≈ Q·(Qᵀ·X), whose factored form goes
 * to {@link FactoredSvd}. The GEMMs (all the O(m·n) work) run on the backend; the orthonormalisations in
 * double. Matrices whose smaller side is within R + p are decomposed exactly instead.
 */
public final class RandomizedSvd {

    /** Extra sampled directions beyond the rank: p = 10 makes the range miss almost nothing of the top R. */
    public static final int DEFAULT_OVERSAMPLING = 10;
    /** Power iterations: two already reach the 0.1% target on slowly decaying spectra of LoRA deltas. */
    public static final int DEFAULT_POWER_ITERATIONS = 2;

    private final Gemm gemm;
    private final int oversampling;
    private final int powerIterations;
    private final long seed;

    public RandomizedSvd(Gemm gemm, int oversampling, int powerIterations, long seed) {
        if (oversampling < 0 || powerIterations < 0) {
            throw new IllegalArgumentException("oversampling and power iterations must be ≥ 0");
        }
        this.gemm = gemm;
        this.oversampling = oversampling;
        this.powerIterations = powerIterations;
        this.seed = seed;
    }

    public RandomizedSvd(Gemm gemm, long seed) {
        this(gemm, DEFAULT_OVERSAMPLING, DEFAULT_POWER_ITERATIONS, seed);
    }

    /** The rank-{@code rank} approximation of x as B = U_R Σ_R, A = V_Rᵀ, owned by {@code arena}. */
    public LowRankUpdate truncate(DenseMatrix x, int rank, Arena arena) {
        int m = x.rows(), n = x.cols();
        int samples = rank + oversampling;
        if (samples >= Math.min(m, n)) return exact(x, rank, arena);
        try (Arena scratch = Arena.ofConfined()) {
            DenseMatrix omega = gaussian(scratch, n, samples);
            ColumnMajorMatrix q = orthonormal(multiply(false, x, omega, scratch));
            for (int i = 0; i < powerIterations; i++) {
                ColumnMajorMatrix z = orthonormal(multiply(true, x, q.toDense(scratch), scratch));
                q = orthonormal(multiply(false, x, z.toDense(scratch), scratch));
            }
            // X ≈ Q · (Qᵀ X) = Q · (Xᵀ Q)ᵀ.
            DenseMatrix projected = multiply(true, x, q.toDense(scratch), scratch);
            return FactoredSvd.truncate(q, ColumnMajorMatrix.from(projected, 1), rank, arena);
        }
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
