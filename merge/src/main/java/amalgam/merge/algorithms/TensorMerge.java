package amalgam.merge.algorithms;

import amalgam.kernels.FloatSegments;

import java.lang.foreign.Arena;
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

    /**
     * The same merge, for a caller that no longer needs the tensors: they may be overwritten, and {@code out}
     * may be one of them, which spares a copy of every tensor. This default merges into a temporary first.
     */
    default void mergeOverwriting(int rows, int cols, List<MemorySegment> tensors, double[] weights, long stream,
                                  MemorySegment out) {
        long bytes = (long) rows * cols * Float.BYTES;
        try (Arena arena = Arena.ofShared()) {
            MemorySegment merged = arena.allocate(Math.max(bytes, 1), FloatSegments.ALIGNMENT);
            merge(rows, cols, tensors, weights, stream, merged);
            MemorySegment.copy(merged, 0, out, 0, bytes);
        }
    }
}
