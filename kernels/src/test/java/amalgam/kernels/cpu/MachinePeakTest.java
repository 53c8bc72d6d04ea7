package amalgam.kernels.cpu;

import amalgam.kernels.WorkerPool;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The FMA peak's loop has enough independent chains for the FMA pipes and no more than the registers hold, and
 * each chain really is separate. No absolute timing: the one measured check compares the peak with a one-chain
 * loop on the same thread, which it must beat by construction (it was once measured below one thread's rate).
 */
class MachinePeakTest {

    @Test
    void chainsCoverEveryFmaPipeForItsWholeLatencyAndFitTheRegisters() {
        assertTrue(MachinePeak.CHAINS >= MachinePeak.FMA_UNITS * MachinePeak.FMA_LATENCY_CYCLES);
        int smallestRegisterFile = VectorIsa.detect(256, "amd64", null).registers();
        assertTrue(MachinePeak.CHAINS + 2 <= smallestRegisterFile, "chains and the two operands fit AVX2's registers");
    }

    @Test
    void theLoopRunsTwelveSeparateChains() {
        int lanes = MicroKernel.LANES;
        // With no iterations the chains' starting values 1..CHAINS come back summed over every lane.
        assertEquals(lanes * MachinePeak.CHAINS * (MachinePeak.CHAINS + 1) / 2.0, MachinePeak.fmaLoop(0));
        // After three steps each chain is c·a + b three times over from its own start.
        double expected = 0;
        for (int chain = 1; chain <= MachinePeak.CHAINS; chain++) {
            float c = chain;
            for (int step = 0; step < 3; step++) c = Math.fma(c, 0.999f, 1e-7f);
            expected += c;
        }
        assertEquals(lanes * expected, MachinePeak.fmaLoop(3), 1e-6 * lanes * expected);
    }

    @Test
    void thePeakOfOneThreadIsAtLeastWhatOneChainReaches() {
        try (WorkerPool pool = WorkerPool.of(1)) {
            double peak = MachinePeak.fmaGflops(pool, 2_000_000);
            double oneChain = MachinePeak.singleChainGflops(2_000_000);
            assertTrue(peak >= oneChain, "peak " + peak + " GFLOP/s below one chain's " + oneChain);
        }
    }
}
