package amalgam.kernels.ffm;

import amalgam.kernels.ElectedMean;
import amalgam.kernels.FloatSegments;
import amalgam.kernels.MergeSweeps;
import amalgam.kernels.MergeSweepsConformanceTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The C merge sweeps ({@code native/cpu/merge.c}), through {@link NativeBackend} on two threads (the C code
 * forks above 2^16 elements, which the largest conformance size exceeds), against the reference. Skipped,
 * with the reason, where the C library is unavailable.
 */
class NativeMergeSweepsTest extends MergeSweepsConformanceTest {

    private NativeBackend backend;

    @BeforeEach
    void requireLibrary() {
        assumeTrue(NativeLibrary.isAvailable(), NativeLibrary.unavailableReason());
        backend = new NativeBackend(2);
    }

    @Override
    protected MergeSweeps sweeps() {
        return backend;
    }

    @Test
    void electedMeanRefusesHeapTensorsAndShortOnes() {
        ElectedMean ties = new ElectedMean(ElectedMean.Election.TOTAL, false, ElectedMean.Divisor.AGREEING_COUNT, 1);
        MemorySegment heap = MemorySegment.ofArray(new float[8]);
        MemorySegment out = MemorySegment.ofArray(new float[8]);
        assertThrows(IllegalArgumentException.class,
                () -> backend.electedMean(ties, 8, new MemorySegment[] {heap}, new double[] {1}, out));
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            MemorySegment shortOne = FloatSegments.allocate(arena, 4);
            assertThrows(IndexOutOfBoundsException.class,
                    () -> backend.electedMean(ties, 8, new MemorySegment[] {shortOne}, new double[] {1}, out));
            assertThrows(IndexOutOfBoundsException.class, () -> backend.keepMagnitudeRanks(8, shortOne, 0, 2, out));
        }
    }
}
