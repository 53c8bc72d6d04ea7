package amalgam.merge.algorithms;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SvdClampTest {

    @Test
    void clampsBothFactorsToTheSignedQuantile() {
        // Entries of B and A together, sorted: −5, −1, 0, 1, 2, 3, 4, 10. The 0.75-quantile (torch's linear rule)
        // sits at position 5.25: 3 + 0.25·(4 − 3) = 3.25.
        LowRankUpdate u = LowRank.update(2, 2, new float[] {10, -5, 4, -1}, new float[] {0, 1, 2, 3}, 1);
        SvdClamp.apply(u, 0.75);
        assertArrayEquals(new float[] {3.25f, -3.25f, 3.25f, -1}, u.b().toArray());
        assertArrayEquals(new float[] {0, 1, 2, 3}, u.a().toArray());
    }

    @Test
    void quantileInterpolatesLinearly() {
        assertEquals(2.5, SvdClamp.quantile(new float[] {1, 2, 3, 4}, 0.5), 1e-12);
        assertEquals(4, SvdClamp.quantile(new float[] {1, 2, 3, 4}, 1), 1e-12);
    }

    @Test
    void quantileOutsideZeroOneIsAnError() {
        LowRankUpdate u = LowRank.update(1, 1, new float[] {1}, new float[] {1}, 1);
        assertThrows(IllegalArgumentException.class, () -> SvdClamp.apply(u, 1.5));
    }
}
