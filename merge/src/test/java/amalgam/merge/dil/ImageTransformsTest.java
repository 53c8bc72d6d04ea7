package amalgam.merge.dil;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each domain transform on tiny hand-checked images. */
class ImageTransformsTest {

    @Test
    void posterizeRoundsToThreeLevels() {
        assertArrayEquals(new int[] {0, 0, 128, 128, 255, 255},
                ImageTransforms.posterize(new int[] {0, 60, 100, 150, 200, 255}, 3));
    }

    @Test
    void sobelMarksAVerticalStep() {
        int[] step = {
                0, 0, 255, 255,
                0, 0, 255, 255,
                0, 0, 255, 255,
                0, 0, 255, 255};
        int[] edges = ImageTransforms.sobelEdges(step, 4);
        // Row 1: column 0 sees no change (its left is padding of 0 like itself); columns 1 and 2 straddle
        // the step (|gx| = 4·255, / 4 = 255); column 3 meets the zero padding on its right.
        assertArrayEquals(new int[] {0, 255, 255, 255}, java.util.Arrays.copyOfRange(edges, 4, 8));
    }

    @Test
    void sobelIsZeroInsideAFlatRegion() {
        int[] flat = new int[25];
        java.util.Arrays.fill(flat, 100);
        int[] edges = ImageTransforms.sobelEdges(flat, 5);
        for (int y = 1; y < 4; y++) for (int x = 1; x < 4; x++) assertEquals(0, edges[y * 5 + x]);
        assertEquals(Math.round(Math.sqrt(2) * 300 / 4.0), edges[0]); // the corner meets padding on two sides
    }

    @Test
    void rotationIsAQuarterTurnClockwise() {
        assertArrayEquals(new int[] {3, 1, 4, 2}, ImageTransforms.rotateClockwise(new int[] {1, 2, 3, 4}, 2));
        int[] once = ImageTransforms.rotateClockwise(new int[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, 3);
        assertArrayEquals(new int[] {7, 4, 1, 8, 5, 2, 9, 6, 3}, once);
    }

    @Test
    void noiseIsSeededAndClipped() {
        int[] image = {0, 128, 255, 128};
        int[] a = ImageTransforms.addNoise(image, 40, new Random(5));
        assertArrayEquals(a, ImageTransforms.addNoise(image, 40, new Random(5)));
        assertFalse(java.util.Arrays.equals(a, ImageTransforms.addNoise(image, 40, new Random(6))));
        for (int v : ImageTransforms.addNoise(image, 1000, new Random(7))) assertTrue(v >= 0 && v <= 255);
    }

    @Test
    void everyDomainTransformsA28By28ImageDeterministically() {
        int[] image = new int[28 * 28];
        image[0] = 255; // top-left pixel
        assertArrayEquals(image, Domain.ORIGINAL.apply(image, 1));
        assertEquals(255, Domain.POSTERIZED.apply(image, 1)[0]);
        assertEquals(Math.round(2 * 255 / 4.0), Domain.EDGES.apply(image, 1)[1]); // beside it: gx = −2·255, gy = 0
        int[] rotated = Domain.ROTATED_NOISY.apply(image, 1);
        assertArrayEquals(rotated, Domain.ROTATED_NOISY.apply(image, 1));
        assertTrue(rotated[27] > 150, "the top-left pixel turns to the top-right: " + rotated[27]);
    }
}
