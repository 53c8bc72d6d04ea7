package amalgam.kernels.cuda;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Axis merging and reach of the strided kernels' layouts (runs without a GPU). */
class StridedLayoutTest {

    @Test
    void contiguousOperandsCollapseToOneAxis() {
        StridedLayout layout = StridedLayout.of(new int[] {2, 3, 4}, new long[] {12, 4, 1}, new long[] {12, 4, 1});
        assertArrayEquals(new long[] {24}, layout.shape());
        assertArrayEquals(new long[] {1}, layout.first());
        assertEquals(24, layout.count());
    }

    @Test
    void aBroadcastRowKeepsTwoAxes() {
        StridedLayout layout = StridedLayout.of(new int[] {5, 1, 7}, new long[] {7, 7, 1}, new long[] {0, 0, 1});
        assertArrayEquals(new long[] {5, 7}, layout.shape());
        assertArrayEquals(new long[] {7, 1}, layout.first());
        assertArrayEquals(new long[] {0, 1}, layout.second());
    }

    @Test
    void aScalarBecomesOneElementOfRankOne() {
        StridedLayout layout = StridedLayout.of(new int[] {}, new long[] {}, new long[] {});
        assertArrayEquals(new long[] {1}, layout.shape());
        assertEquals(1, layout.count());
        assertEquals(1, layout.pack()[0]);
    }

    @Test
    void aTransposeDoesNotMerge() {
        StridedLayout layout = StridedLayout.of(new int[] {3, 4}, new long[] {1, 3}, new long[] {4, 1});
        assertArrayEquals(new long[] {3, 4}, layout.shape());
    }

    @Test
    void reachCoversNegativeAndPositiveStrides() {
        long[] shape = {3, 4};
        long[] strides = {-4, 1};
        assertEquals(-8, StridedLayout.low(shape, strides));
        assertEquals(3, StridedLayout.high(shape, strides));
    }

    @Test
    void packLaysOutRankShapeAndBothStrideLists() {
        long[] packed = StridedLayout.of(new int[] {3, 4}, new long[] {1, 3}, new long[] {4, 1}).pack();
        assertEquals(1 + 3 * StridedLayout.MAX_RANK, packed.length);
        assertEquals(2, packed[0]);
        assertEquals(3, packed[1]);
        assertEquals(4, packed[2]);
        assertEquals(1, packed[1 + StridedLayout.MAX_RANK]);
        assertEquals(3, packed[2 + StridedLayout.MAX_RANK]);
        assertEquals(4, packed[1 + 2 * StridedLayout.MAX_RANK]);
    }

    @Test
    void tooManyAxesAreRefusedWithTheShape() {
        int[] shape = new int[9];
        long[] a = new long[9], b = new long[9];
        for (int d = 0; d < 9; d++) {
            shape[d] = 2;
            a[d] = 1L << (2 * (9 - d)); // gaps between axes: nothing merges
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> StridedLayout.of(shape, a, b).pack());
        assertEquals(true, e.getMessage().contains("at most 8 axes"), e.getMessage());
    }
}
