package amalgam.merge.algorithms;

import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * A per-tensor merge: n same-shaped task tensors (deltas or factors) and their weights in, one tensor out.
 * Inputs are never modified.
 */
@FunctionalInterface
public interface TensorMerge {

    /**
     * Merges {@code tensors} (each rows × cols, row-major fp32) with {@code weights} into {@code out}.
     * {@code stream} names the random stream (for example the module index) so that stochastic merges of
     * different tensors draw independent masks.
     */
    void merge(int rows, int cols, List<MemorySegment> tensors, double[] weights, long stream, MemorySegment out);
}
