package amalgam.kernels;

import java.lang.foreign.MemorySegment;

/**
 * For backends whose merge sweeps are another {@link MergeSweeps}' (as {@link GemmDelegation} is for GEMM):
 * the forwarding written once. A backend implements this beside {@link Backend} and only says which sweeps it
 * runs.
 */
public interface MergeSweepsDelegation extends MergeSweeps {

    /** The sweeps every merge call of this backend runs on. */
    MergeSweeps mergeSweeps();

    @Override
    default void keepMagnitudeRanks(long n, MemorySegment x, long fromRank, long toRank, MemorySegment out) {
        mergeSweeps().keepMagnitudeRanks(n, x, fromRank, toRank, out);
    }

    @Override
    default void electedMean(ElectedMean mean, long n, MemorySegment[] tensors, double[] weights, MemorySegment out) {
        mergeSweeps().electedMean(mean, n, tensors, weights, out);
    }
}
