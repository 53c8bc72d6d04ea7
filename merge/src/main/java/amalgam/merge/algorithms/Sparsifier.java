package amalgam.merge.algorithms;

import java.lang.foreign.MemorySegment;

/**
 * The first stage of every task-arithmetic merge: turns one task tensor into its sparsified (and possibly
 * rescaled) version. Implementations: none, magnitude (TIES / magnitude prune), DARE, breadcrumbs, DELLA.
 */
public interface Sparsifier {

    /**
     * Writes the sparsified {@code t} (rows × cols, row-major) to {@code out}, which may be t itself
     * (every implementation reads what it needs of an entry before writing it).
     * {@code adapter} and {@code stream} select the random stream of stochastic sparsifiers: the same
     * (seed, stream, adapter) always gives the same mask.
     */
    void sparsify(int rows, int cols, MemorySegment t, int adapter, long stream, MemorySegment out);

    /** The identity: plain task arithmetic. */
    Sparsifier NONE = (rows, cols, t, adapter, stream, out) ->
            MemorySegment.copy(t, 0, out, 0, (long) rows * cols * Float.BYTES);
}
