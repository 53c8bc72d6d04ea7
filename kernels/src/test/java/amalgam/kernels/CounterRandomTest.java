package amalgam.kernels;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The DARE generator's answers, pinned: the emulation checks native/cuda/counter_random.cuh against this table. */
class CounterRandomTest {

    private static double uniform(long seed, long stream, int adapter, long index) {
        return CounterRandom.uniform(CounterRandom.streamKey(seed, CounterRandom.adapterStream(stream, adapter)), index);
    }

    @Test
    void knownAnswersSharedWithTheCudaEmulation() {
        // The same rows as COUNTER_RANDOM_ANSWERS in native/cuda/emulation/kernels_on_host.cpp.
        assertEquals(0x1.0e364ebc59307p-1, uniform(0, 0, 0, 0));
        assertEquals(0x1.18032c1b2eb8ap-2, uniform(42, 0, 1, 7));
        assertEquals(0x1.8b2d7557c1481p-1, uniform(42, 3, 1, 7));
        assertEquals(0x1.51f53fa33c6c7p-1, uniform(-1, 12345, 65536, 1L << 40));
        assertEquals(0x1.5644caa845ae8p-2, uniform(0x1234_5678_9abcL, 5, 2, 999_999_999L));
        assertEquals(0x1.5dcd681a2872ap-1, uniform(7, -2, 0, 3));
    }

    @Test
    void keepsIsTheUniformBelowTheProbability() {
        for (long i = 0; i < 1000; i++) {
            double u = uniform(9, 4, 2, i);
            assertEquals(u < 0.4, CounterRandom.keeps(9, 4, 2, i, 0.4));
            assertTrue(CounterRandom.keeps(9, 4, 2, i, 1.0));
            assertTrue(!CounterRandom.keeps(9, 4, 2, i, 0.0));
        }
    }

    @Test
    void everyModuleAndAdapterHasItsOwnStream() {
        assertNotEquals(CounterRandom.adapterStream(0, 1), CounterRandom.adapterStream(1, 0));
        int sameAcrossModules = 0, sameAcrossAdapters = 0, n = 10_000;
        for (long i = 0; i < n; i++) {
            boolean keep = CounterRandom.keeps(42, 3, 1, i, 0.5);
            if (keep == CounterRandom.keeps(42, 4, 1, i, 0.5)) sameAcrossModules++;
            if (keep == CounterRandom.keeps(42, 3, 2, i, 0.5)) sameAcrossAdapters++;
        }
        // Independent masks at p = 0.5 agree on half the entries.
        assertEquals(0.5, sameAcrossModules / (double) n, 0.03);
        assertEquals(0.5, sameAcrossAdapters / (double) n, 0.03);
    }
}
