package amalgam.kernels;

import java.lang.foreign.MemorySegment;

/**
 * The elementwise sweeps of the task-arithmetic merges (docs/merging.md): magnitude pruning by rank and the
 * elected (disjoint) mean. Segments hold fp32 and start at element 0 (pass a slice for an offset).
 * Every implementation gives the same bits as {@code amalgam.kernels.scalar.ScalarMergeSweeps}, except which
 * NaN an invalid operation yields: neither Java nor C fixes NaN payloads and signs.
 */
public interface MergeSweeps {

    /**
     * Keeps the entries of x whose magnitude rank lies in [fromRank, toRank) and writes +0 elsewhere. Rank 0 is
     * the largest |x|; equal magnitudes rank by lower index; NaN ranks above every number (as
     * {@link Float#compare} orders them) and ±0 are equal. Ranks past n simply select nothing more, so
     * [0, k) with k ≥ n copies x. TIES trimming keeps [0, ⌊d·n⌋); breadcrumbs [⌊γ·n⌋, ⌊γ·n⌋ + ⌊d·n⌋).
     * out may be x.
     *
     * @throws IllegalArgumentException unless 0 ≤ fromRank ≤ toRank
     */
    void keepMagnitudeRanks(long n, MemorySegment x, long fromRank, long toRank, MemorySegment out);

    /**
     * Writes, for every entry e in [0, n), {@code mean}'s combination of the tensors' entries e (see
     * {@link ElectedMean}). out may be one of the tensors: each entry is read before it is written.
     *
     * @throws IllegalArgumentException when there are no tensors or the weights do not match them
     */
    void electedMean(ElectedMean mean, long n, MemorySegment[] tensors, double[] weights, MemorySegment out);

    /** The argument checks every implementation makes. */
    static void checkRanks(long fromRank, long toRank) {
        if (fromRank < 0 || toRank < fromRank) {
            throw new IllegalArgumentException("rank window [" + fromRank + ", " + toRank + ") is not a window");
        }
    }

    /** The argument checks every implementation makes. */
    static void checkTensors(MemorySegment[] tensors, double[] weights) {
        if (tensors.length == 0) throw new IllegalArgumentException("need at least one tensor to combine");
        if (weights.length != tensors.length) {
            throw new IllegalArgumentException(tensors.length + " tensors but " + weights.length + " weights");
        }
    }
}
