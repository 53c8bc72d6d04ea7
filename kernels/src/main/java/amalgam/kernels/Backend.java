package amalgam.kernels;

import java.lang.foreign.MemorySegment;

/**
 * Everything the engine and the merge algorithms compute, on fp32 data in off-heap segments.
 *
 * <p>Conventions: row-major; offsets, lengths and strides in elements; outputs may alias inputs only where
 * a method says so. {@code amalgam.kernels.scalar.ScalarBackend} is the reference: every other implementation is tested equal to it.
 */
public interface Backend extends Gemm, MergeSweeps {

    /** Worker threads this backend computes with (1 for single-threaded backends). */
    int threads();

    // ---- elementwise -------------------------------------------------------------------------------------

    /** {@code out[i] = op(x[i])} for i in [0, n); out may be x. */
    void unary(UnaryOp op, long n, MemorySegment x, long xOffset, MemorySegment out, long outOffset);

    /** {@code out[i] = scale · x[i] + shift}; out may be x. */
    void affine(long n, float scale, float shift, MemorySegment x, long xOffset, MemorySegment out, long outOffset);

    /**
     * {@code out = op(a, b)} with broadcasting: out is contiguous with the given shape; a and b are read
     * through their strides (a stride of 0 repeats the element along that axis). out may be a or b when
     * that operand is contiguous with out's shape.
     */
    void binary(BinaryOp op, int[] shape,
                MemorySegment a, long aOffset, long[] aStrides,
                MemorySegment b, long bOffset, long[] bStrides,
                MemorySegment out, long outOffset);

    /** Gathers a strided view into a contiguous block of the given shape (materialises transposes, slices). */
    void copyStrided(int[] shape, MemorySegment src, long srcOffset, long[] srcStrides,
                     MemorySegment dst, long dstOffset);

    void fill(long n, float value, MemorySegment out, long outOffset);

    // ---- reductions --------------------------------------------------------------------------------------

    /**
     * Reduces the middle axis of a contiguous [outer, axis, inner] block into a contiguous [outer, inner]
     * block. SUM is accumulated in double or pairwise so that long axes stay accurate.
     */
    void reduce(ReduceOp op, int outer, int axis, int inner, MemorySegment x, long xOffset,
                MemorySegment out, long outOffset);

    // ---- row-wise normalisations --------------------------------------------------------------------------

    /** Softmax of each row of a contiguous rows×cols block; out may be x. Stable (max subtracted). */
    void softmaxRows(int rows, int cols, MemorySegment x, long xOffset, MemorySegment out, long outOffset);

    /** Log-softmax of each row; out may be x. */
    void logSoftmaxRows(int rows, int cols, MemorySegment x, long xOffset, MemorySegment out, long outOffset);

    /** Given y = softmax(x) and dy, writes dx = y ⊙ (dy − Σ dy ⊙ y) per row; dx may be dy. */
    void softmaxBackwardRows(int rows, int cols, MemorySegment y, long yOffset, MemorySegment dy, long dyOffset,
                             MemorySegment dx, long dxOffset);

    /** Given y = logSoftmax(x) and dy, writes dx = dy − exp(y) · Σ dy per row; dx may be dy. */
    void logSoftmaxBackwardRows(int rows, int cols, MemorySegment y, long yOffset, MemorySegment dy, long dyOffset,
                                MemorySegment dx, long dxOffset);

    /**
     * Layer normalisation of each row: y = (x − μ)/√(σ² + eps) · gamma + beta, with the biased variance.
     * gamma and beta have cols elements and may be {@code null} (then 1 and 0). The per-row mean and
     * reciprocal standard deviation are written to {@code mean} and {@code rstd} (rows elements each) for the
     * backward pass; either may be null when not needed.
     */
    void layerNormRows(int rows, int cols, float eps, MemorySegment x, long xOffset,
                       MemorySegment gamma, MemorySegment beta,
                       MemorySegment y, long yOffset, MemorySegment mean, MemorySegment rstd);

    /**
     * Backward of {@link #layerNormRows}: from x, the saved mean/rstd, gamma (nullable) and dy, writes dx,
     * and accumulates (adds) dgamma and dbeta when they are non-null.
     */
    void layerNormBackwardRows(int rows, int cols, MemorySegment x, long xOffset,
                               MemorySegment mean, MemorySegment rstd, MemorySegment gamma,
                               MemorySegment dy, long dyOffset, MemorySegment dx, long dxOffset,
                               MemorySegment dgamma, MemorySegment dbeta);

    /**
     * RMS normalisation of each row, as Llama's RMSNorm: y = x/√(mean(x²) + eps) · weight. weight has cols
     * elements and may be {@code null} (then 1). The per-row reciprocal root mean square is written to
     * {@code rstd} (rows elements) for the backward pass; it may be null when not needed.
     */
    void rmsNormRows(int rows, int cols, float eps, MemorySegment x, long xOffset, MemorySegment weight,
                     MemorySegment y, long yOffset, MemorySegment rstd);

    /**
     * Backward of {@link #rmsNormRows}: from x, the saved rstd, weight (nullable) and dy, writes
     * dx = rstd · (g − x̂ · mean(g ⊙ x̂)) with g = dy ⊙ weight and x̂ = x · rstd, and accumulates (adds)
     * Σ_rows dy ⊙ x̂ into dweight when it is non-null.
     */
    void rmsNormBackwardRows(int rows, int cols, MemorySegment x, long xOffset, MemorySegment rstd,
                             MemorySegment weight, MemorySegment dy, long dyOffset, MemorySegment dx, long dxOffset,
                             MemorySegment dweight);

    /**
     * Rotary position embedding in the rotate-half convention, out = x·cos + [−x₂, x₁]·sin, for rows of dim
     * elements (dim even, h = dim/2) whose token is row % tokens; cos and sin are [tokens, dim]:
     * out[j] = x[j]·cos[j] − x[j+h]·sin[j] and out[j+h] = x[j+h]·cos[j+h] + x[j]·sin[j+h] for j &lt; h.
     * out may be x. Its backward is the same rotation of dy with −sin's halves swapped in place of sin.
     */
    void ropeRows(int rows, int tokens, int dim, MemorySegment x, long xOffset, MemorySegment cos, MemorySegment sin,
                  MemorySegment out, long outOffset);

    // ---- selection ---------------------------------------------------------------------------------------

    /**
     * The k-th largest absolute value among n elements (k counted from 1), in expected O(n) time and without
     * modifying x. Used by TIES and magnitude pruning to find the keep threshold. Requires 1 ≤ k ≤ n.
     * NaN compares above every number.
     */
    float kthLargestAbs(long n, long k, MemorySegment x, long xOffset);
}
