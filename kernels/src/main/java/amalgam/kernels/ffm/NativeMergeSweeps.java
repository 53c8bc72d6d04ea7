package amalgam.kernels.ffm;

import amalgam.kernels.ElectedMean;
import amalgam.kernels.MergeSweeps;
import amalgam.kernels.OpCodes;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * {@link MergeSweeps} computed by {@code native/cpu/merge.c} (OpenMP threads inside C). Being compiled ahead
 * of time, the sweeps run at full speed from the first call, where the Vector API loops run interpreted
 * until the JIT has compiled them: for a one-shot {@code amalgam merge} that warm-up is most of the time.
 *
 * <p>The elected mean passes C an array of pointers to the tensors, so they must be off-heap.
 */
final class NativeMergeSweeps implements MergeSweeps {

    private final int threads;

    /** @throws IllegalStateException when {@link NativeLibrary#isAvailable()} is false */
    NativeMergeSweeps(int threads) {
        NativeLibrary.requireAvailable();
        this.threads = threads;
    }

    @Override
    public void keepMagnitudeRanks(long n, MemorySegment x, long fromRank, long toRank, MemorySegment out) {
        MergeSweeps.checkRanks(fromRank, toRank);
        MemorySegment xs = Operands.elements(x, 0, n, "x");
        MemorySegment os = Operands.elements(out, 0, n, "out");
        int status;
        try {
            MethodHandle call = NativeKernels.MergeCalls.KEEP_MAGNITUDE_RANKS.forWork(n, Operands.onHeap(x, out));
            status = (int) call.invokeExact(n, xs, fromRank, toRank, os, threads);
        } catch (Throwable t) {
            throw NativeKernels.rethrow(t);
        }
        if (status != 0) throw new OutOfMemoryError("native keepMagnitudeRanks could not allocate its counts");
    }

    @Override
    public void electedMean(ElectedMean mean, long n, MemorySegment[] tensors, double[] weights, MemorySegment out) {
        MergeSweeps.checkTensors(tensors, weights);
        MemorySegment os = Operands.elements(out, 0, n, "out");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment pointers = arena.allocate(ValueLayout.ADDRESS, tensors.length);
            for (int i = 0; i < tensors.length; i++) {
                MemorySegment t = Operands.elements(tensors[i], 0, n, "tensor " + i);
                if (!t.isNative()) {
                    throw new IllegalArgumentException("tensor " + i + " is on the Java heap; the native elected"
                            + " mean needs off-heap segments (a pointer array cannot point into the heap)");
                }
                pointers.setAtIndex(ValueLayout.ADDRESS, i, t);
            }
            MemorySegment w = arena.allocateFrom(ValueLayout.JAVA_DOUBLE, weights);
            MethodHandle call = NativeKernels.MergeCalls.ELECTED_MEAN.forWork(n * tensors.length, Operands.onHeap(out));
            call.invokeExact(OpCodes.of(mean.election()), mean.weightedVotes() ? 1 : 0, OpCodes.of(mean.divisor()),
                    mean.lambda(), tensors.length, n, pointers, w, os, threads);
        } catch (Throwable t) {
            throw NativeKernels.rethrow(t);
        }
    }
}
