package amalgam.merge.algorithms;

import amalgam.kernels.Gemm;

import java.lang.foreign.Arena;

/**
 * One LoRA update of one module: ΔW = scale · B · A with B out × r and A r × in.
 *
 * <p>The scaling (lora_alpha / r, or / √r with rslora, per-module patterns applied) is carried explicitly
 * rather than folded into a factor, so that every merge folds it exactly once, in one visible place, together
 * with the user's weight (c_i = w_i · s_i). Merge results carry scale 1, which is how they are written
 * (r = lora_alpha).
 */
public record LowRankUpdate(DenseMatrix b, DenseMatrix a, double scale) {

    public LowRankUpdate {
        if (b.cols() != a.rows()) {
            throw new IllegalArgumentException("lora_B is " + b.rows() + "×" + b.cols() + " but lora_A is "
                    + a.rows() + "×" + a.cols() + ": their ranks differ");
        }
    }

    public int rank() {
        return a.rows();
    }

    public int outFeatures() {
        return b.rows();
    }

    public int inFeatures() {
        return a.cols();
    }

    /** The dense update scale · B · A, computed with {@code gemm} into a matrix owned by {@code arena}. */
    public DenseMatrix delta(Gemm gemm, Arena arena) {
        return delta(gemm, arena, 1);
    }

    /** weight · scale · B · A: the update as it enters a weighted sum. */
    public DenseMatrix delta(Gemm gemm, Arena arena, double weight) {
        DenseMatrix out = DenseMatrix.zeros(arena, outFeatures(), inFeatures());
        deltaInto(gemm, out, weight);
        return out;
    }

    /** Writes weight · scale · B · A over {@code out} (out × in), whatever it held. */
    public void deltaInto(Gemm gemm, DenseMatrix out, double weight) {
        if (out.rows() != outFeatures() || out.cols() != inFeatures()) {
            throw new IllegalArgumentException("delta is " + outFeatures() + "×" + inFeatures() + ", target is "
                    + out.rows() + "×" + out.cols());
        }
        gemm.gemm(false, false, outFeatures(), inFeatures(), rank(), (float) (weight * scale),
                b.data(), 0, b.cols(), a.data(), 0, a.cols(), 0f, out.data(), 0, out.cols());
    }

    /**
     * Adds scale · B · A to {@code weight} (out × in), or with {@code transposed} its transpose to {@code weight}
     * (in × out): how PEFT's merge_and_unload folds an update into a Linear layer, and into a Conv1D
     * ({@code fan_in_fan_out}) or Embedding table, which store the weight the other way round.
     */
    public void addTo(Gemm gemm, DenseMatrix weight, boolean transposed) {
        int rows = transposed ? inFeatures() : outFeatures(), cols = transposed ? outFeatures() : inFeatures();
        if (weight.rows() != rows || weight.cols() != cols) {
            throw new IllegalArgumentException("update is " + outFeatures() + "×" + inFeatures()
                    + (transposed ? " (transposed)" : "") + ", weight is " + weight.rows() + "×" + weight.cols());
        }
        if (transposed) {
            // (B A)ᵀ = Aᵀ Bᵀ: both operands read transposed, as stored.
            gemm.gemm(true, true, rows, cols, rank(), (float) scale, a.data(), 0, a.cols(), b.data(), 0, b.cols(),
                    1f, weight.data(), 0, cols);
        } else {
            gemm.gemm(false, false, rows, cols, rank(), (float) scale, b.data(), 0, b.cols(), a.data(), 0, a.cols(),
                    1f, weight.data(), 0, cols);
        }
    }
}
