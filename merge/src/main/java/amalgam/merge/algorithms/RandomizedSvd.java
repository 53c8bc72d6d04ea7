package amalgam.merge.algorithms;

import amalgam.kernels.FloatSegments;
import amalgam.kernels.Gemm;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Truncated SVD of a dense matrix (a merged ΔW) by a randomized block Krylov method (Musco & Musco, 2015): for a
 * Gaussian Ω with R + p columns the orthonormal basis K of the Krylov space span{XΩ, XXᵀXΩ, (XXᵀ)²XΩ, …} is
 * grown one block at a time, and X ≈ K·(KᵀX), whose rank-R truncation is the result. Every O(m·n) product runs
 * on the backend's GEMM; each new block is orthogonalised against K by two passes of block Gram–Schmidt, each
 * followed by a QR of the block in double. Matrices too small for two blocks are decomposed exactly instead.
 *
 * <p>Why Krylov rather than power (subspace) iterations: a TIES merge at d = 0.2 of random updates has a flat
 * spectrum (rank 16 of a 5504 × 2048 module keeps about 10 % of it), where power iterations needed 10–11 rounds
 * to come within the 0.1 % excess-error target of docs/merging.md. The Krylov space keeps every block power
 * iterations throw away, and met the target after 3 rounds on the same modules (it stops after 5, with the
 * safety margin below). Each round costs the same two skinny GEMMs as a power iteration.
 *
 * <p>The number of blocks adapts to the spectrum. With W = XᵀK, the energy the best rank-R approximation in K
 * captures is the sum of the R largest eigenvalues of WᵀW; it only grows towards the optimum's. Its growth per
 * block, extrapolated geometrically, estimates what is still missing, and the basis stops growing once that
 * bounds the excess error of the result well under the target.
 */
public final class RandomizedSvd {

    /** At least this many extra sampled directions; with p ≥ R the gap σ_R / σ_{R+p+1} a flat spectrum needs. */
    static final int MIN_OVERSAMPLING = 10;
    /** The excess error allowed, relative to ‖X‖_F: (‖X − X̂_R‖ − ‖X − X_R‖) / ‖X‖ (docs/merging.md). */
    public static final double TARGET_EXCESS = 1e-3;
    /** The share of the target the estimate must stay under, since extrapolating the growth can fall short. */
    private static final double SAFETY = 0.25;
    /**
     * A bound on the basis of a spectrum too flat to converge (pure noise): then the best found is returned.
     * Ten blocks are worth far more than the thirty power iterations that bounded the earlier method.
     */
    static final int MAX_BLOCKS = 10;
    /**
     * A new column that K's projection and the block's earlier columns reduce below this share of its norm is
     * fp32 rounding, not a direction (a float GEMM's error on a long sum is up to about 10⁻⁶ of its terms).
     */
    private static final double ROUNDING_RESIDUE = 1e-5;
    /** Eigenvalues of WᵀW below this share of the largest are rounding, not directions: their slice is zero. */
    private static final double NEGLIGIBLE_EIGENVALUE = 1e-12;

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
        int block = rank + Math.max(MIN_OVERSAMPLING, rank);
        int maxBlocks = Math.min(MAX_BLOCKS, Math.min(m, n) / block);
        lastIterations = 0;
        if (maxBlocks < 2) return exact(x, rank, arena);
        double norm = Math.sqrt(FloatSegments.squaredNorm(x.data(), x.size()));
        try (Arena scratch = Arena.ofConfined()) {
            Krylov k = new Krylov(x, rank, block, maxBlocks, scratch);
            k.start(gaussian(scratch, n, block));
            double captured = 0, growth = Double.NaN;
            for (int j = 0; ; j++) {
                double now = k.extendProjection();
                if (j > 0) {
                    double previousGrowth = growth;
                    growth = now - captured;
                    if (converged(growth, previousGrowth, norm * norm - now, norm)) {
                        captured = now;
                        break;
                    }
                }
                captured = now;
                if (k.blocks() == maxBlocks) break;
                k.extendBasis();
                lastIterations = j + 1;
            }
            return k.truncation(arena);
        }
    }

    /**
     * Times X·Xᵀ was applied by the last {@link #truncate} (the Krylov space's blocks less one; 0 when it
     * decomposed exactly): for tests and profiling.
     */
    int lastIterations() {
        return lastIterations;
    }

    /**
     * Whether the energy still missing, extrapolated from the last two growths as a geometric series, bounds the
     * excess error under the target: the excess is at most min(gap / residual, √gap) for an energy gap "gap".
     * A growth that is not positive means rounding has taken over, and more blocks would only add noise.
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

    /**
     * The growing basis and its projection, in fp32 row-major buffers with room for every block (leading
     * dimension {@code capacity}), so each step is a GEMM on a column range: K (m × width) orthonormal, W = XᵀK
     * (n × width) and the Gram matrix WᵀW (width × width; an fp32 GEMM, kept in double for the eigensolver).
     */
    private final class Krylov {
        private final DenseMatrix x;
        private final int m, n, rank, block, capacity;
        private final MemorySegment basis, projection, newBlock, directions, coefficients, gramColumns;
        private final double[][] gram;
        private int width;

        Krylov(DenseMatrix x, int rank, int block, int maxBlocks, Arena arena) {
            this.x = x;
            this.m = x.rows();
            this.n = x.cols();
            this.rank = rank;
            this.block = block;
            this.capacity = block * maxBlocks;
            this.basis = FloatSegments.allocate(arena, (long) m * capacity);
            this.projection = FloatSegments.allocate(arena, (long) n * capacity);
            this.newBlock = FloatSegments.allocate(arena, (long) m * block);
            this.directions = FloatSegments.allocate(arena, (long) n * block);
            this.coefficients = FloatSegments.allocate(arena, (long) capacity * block);
            this.gramColumns = FloatSegments.allocate(arena, (long) capacity * block);
            this.gram = new double[capacity][capacity];
        }

        int blocks() {
            return width / block;
        }

        /** K's first block: XΩ orthonormalised. */
        void start(DenseMatrix omega) {
            gemm.gemm(false, false, m, block, n, 1f, x.data(), 0, n, omega.data(), 0, block, 0f, newBlock, 0, block);
            writeColumns(ThinQr.of(blockColumns()).q(), basis, capacity, width);
            width += block;
        }

        /**
         * W's columns for K's newest block (Xᵀ times it), WᵀW's new columns, and the energy Σ_{i≤R} λ_i(WᵀW)
         * the rank-R truncation in the grown basis captures.
         */
        double extendProjection() {
            int first = width - block;
            gemm.gemm(true, false, n, block, m, 1f, x.data(), 0, n, basis, first, capacity, 0f,
                    projection, first, capacity);
            gemm.gemm(true, false, width, block, n, 1f, projection, 0, capacity, projection, first, capacity, 0f,
                    gramColumns, 0, block);
            float[] columns = FloatSegments.toArray(gramColumns, 0, width * block);
            for (int i = 0; i < width; i++) {
                for (int c = 0; c < block; c++) {
                    double v = columns[i * block + c];
                    gram[i][first + c] = v;
                    gram[first + c][i] = v;
                }
            }
            return energy();
        }

        /**
         * K's next block: X·orth(W's newest columns), orthogonalised against K by block Gram–Schmidt with two
         * passes, each followed by a QR of the block (BCGS2). One pass with a QR after it is not enough: when the
         * block's own QR finds a column that is dependent on K and its earlier columns (X of low rank), what is
         * left of it is fp32 rounding of the projection, which points anywhere, K included. Such columns are
         * zeroed after the first pass; the second pass removes what rounding left of K in the others.
         */
        void extendBasis() {
            ColumnMajorMatrix z = readColumns(projection, n, capacity, width - block, block);
            writeColumns(ThinQr.of(z).q(), directions, block, 0);
            gemm.gemm(false, false, m, block, n, 1f, x.data(), 0, n, directions, 0, block, 0f, newBlock, 0, block);
            ColumnMajorMatrix y = blockColumns();
            double[] before = new double[block];
            for (int c = 0; c < block; c++) before[c] = columnNorm(y, c);
            projectOutBasis();
            ThinQr first = ThinQr.of(blockColumns());
            ColumnMajorMatrix q = first.q();
            for (int c = 0; c < block; c++) {
                if (first.r()[c][c] <= ROUNDING_RESIDUE * before[c]) Arrays.fill(q.data(), c * m, (c + 1) * m, 0);
            }
            writeColumns(q, newBlock, block, 0);
            projectOutBasis();
            writeColumns(ThinQr.of(blockColumns()).q(), basis, capacity, width);
            width += block;
        }

        /** The new block minus its components in K: Y ← Y − K·(Kᵀ·Y). */
        private void projectOutBasis() {
            gemm.gemm(true, false, width, block, m, 1f, basis, 0, capacity, newBlock, 0, block, 0f,
                    coefficients, 0, block);
            gemm.gemm(false, false, m, block, width, -1f, basis, 0, capacity, coefficients, 0, block, 1f,
                    newBlock, 0, block);
        }

        /** The new block (m × block, row-major fp32) in double, column by column. */
        private ColumnMajorMatrix blockColumns() {
            return readColumns(newBlock, m, block, 0, block);
        }

        /** The rank-R truncation of K·Wᵀ: with WᵀW = U Λ Uᵀ, B = K U_R Λ_R^½ and A = Λ_R^-½ U_Rᵀ Wᵀ. */
        LowRankUpdate truncation(Arena arena) {
            SymmetricEigenvalues eigen = SymmetricEigenvalues.withVectors(gram, width);
            double[] values = eigen.values();
            double[][] vectors = eigen.vectors();
            // The eigenvectors scaled for B's side (width × R) and for A's (R × width); a negligible slice stays 0.
            MemorySegment left = coefficients.asSlice(0, (long) width * rank * Float.BYTES).fill((byte) 0);
            MemorySegment right = gramColumns.asSlice(0, (long) rank * width * Float.BYTES).fill((byte) 0);
            for (int c = 0; c < Math.min(rank, width); c++) {
                if (!(values[c] > NEGLIGIBLE_EIGENVALUE * values[0])) continue;
                double sigma = Math.sqrt(values[c]);
                for (int i = 0; i < width; i++) {
                    FloatSegments.set(left, (long) i * rank + c, (float) (vectors[i][c] * sigma));
                    FloatSegments.set(right, (long) c * width + i, (float) (vectors[i][c] / sigma));
                }
            }
            DenseMatrix b = DenseMatrix.zeros(arena, m, rank);
            DenseMatrix a = DenseMatrix.zeros(arena, rank, n);
            gemm.gemm(false, false, m, rank, width, 1f, basis, 0, capacity, left, 0, rank, 0f, b.data(), 0, rank);
            gemm.gemm(false, true, rank, n, width, 1f, right, 0, width, projection, 0, capacity, 0f, a.data(), 0, n);
            return new LowRankUpdate(b, a, 1);
        }

        private double energy() {
            double[] values = SymmetricEigenvalues.of(gram, width);
            double sum = 0;
            for (int i = 0; i < Math.min(rank, width); i++) sum += values[i];
            return sum;
        }

    }

    /**
     * Columns [first, first + count) of a row-major fp32 matrix with the given leading dimension, in double.
     * Row by row through a float[]: these conversions run while the JIT is still cold, where an element-wise
     * segment access costs many times an array's.
     */
    private static ColumnMajorMatrix readColumns(MemorySegment matrix, int rows, int leadingDimension, int first,
                                                 int count) {
        ColumnMajorMatrix out = ColumnMajorMatrix.zeros(rows, count);
        double[] data = out.data();
        float[] row = new float[count];
        for (int i = 0; i < rows; i++) {
            MemorySegment.copy(matrix, FloatSegments.FLOAT, ((long) i * leadingDimension + first) * Float.BYTES,
                    row, 0, count);
            for (int c = 0; c < count; c++) data[c * rows + i] = row[c];
        }
        return out;
    }

    /** Writes q's columns into columns [first, first + q.cols()) of a row-major fp32 matrix. */
    private static void writeColumns(ColumnMajorMatrix q, MemorySegment target, int leadingDimension, int first) {
        int rows = q.rows(), count = q.cols();
        double[] data = q.data();
        float[] row = new float[count];
        for (int i = 0; i < rows; i++) {
            for (int c = 0; c < count; c++) row[c] = (float) data[c * rows + i];
            FloatSegments.copyFromArray(row, 0, target, (long) i * leadingDimension + first, count);
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

    private DenseMatrix gaussian(Arena arena, int rows, int cols) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] values = new float[rows * cols];
        for (int i = 0; i < values.length; i++) values[i] = (float) random.nextGaussian();
        return DenseMatrix.of(arena, rows, cols, values);
    }

    private static double columnNorm(ColumnMajorMatrix y, int column) {
        double sum = 0;
        for (int i = column * y.rows(); i < (column + 1) * y.rows(); i++) sum += y.data()[i] * y.data()[i];
        return Math.sqrt(sum);
    }
}
