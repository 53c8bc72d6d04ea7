package amalgam.kernels.cuda;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** The Java Philox against the published known answers, and the DARE keep rule built on it (no GPU needed). */
class PhiloxTest {

    // Known-answer vectors of Philox4x32-10 from the Random123 distribution (kat_vectors).
    @Test
    void zeroCounterAndKey() {
        assertArrayEquals(new int[] {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8},
                Philox.block(0, 0, 0, 0, 0, 0));
    }

    @Test
    void allOnesCounterAndKey() {
        assertArrayEquals(new int[] {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd},
                Philox.block(-1, -1, -1, -1, -1, -1));
    }

    @Test
    void digitsOfPi() {
        assertArrayEquals(new int[] {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1},
                Philox.block(0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0));
    }

    @Test
    void dareKeepsAboutDensityAndDependsOnSeedAndAdapter() {
        int n = 200_000, kept = 0, differentAdapter = 0, differentSeed = 0;
        for (int i = 0; i < n; i++) {
            boolean keep = Philox.dareKeep(42, 0, 0.3f, i);
            if (keep) kept++;
            if (keep != Philox.dareKeep(42, 1, 0.3f, i)) differentAdapter++;
            if (keep != Philox.dareKeep(43, 0, 0.3f, i)) differentSeed++;
            assertEquals(keep, Philox.dareKeep(42, 0, 0.3f, i), "not reproducible at " + i);
        }
        // Binomial(200000, 0.3): standard deviation ≈ 205, so ±1500 is over 7 sigma.
        assertEquals(0.3 * n, kept, 1500);
        // Independent masks disagree with probability 2·0.3·0.7 = 0.42.
        assertEquals(0.42 * n, differentAdapter, 2000);
        assertEquals(0.42 * n, differentSeed, 2000);
    }

    @Test
    void densityOneKeepsEverythingAndZeroNothing() {
        for (long i = 0; i < 10_000; i++) {
            assertEquals(true, Philox.dareKeep(7, 2, 1f, i));
            assertEquals(false, Philox.dareKeep(7, 2, 0f, i));
        }
        assertNotEquals(Philox.uniform(0xffffffff), 1.0f);
    }
}
