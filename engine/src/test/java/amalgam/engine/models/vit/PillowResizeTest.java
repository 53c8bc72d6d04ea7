package amalgam.engine.models.vit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class PillowResizeTest {

    private static RgbImage grey(int width, int height, int... values) {
        byte[] rgb = new byte[3 * values.length];
        for (int i = 0; i < values.length; i++) for (int c = 0; c < 3; c++) rgb[3 * i + c] = (byte) values[i];
        return new RgbImage(width, height, rgb);
    }

    private static int[] channel(RgbImage image, int c) {
        int[] out = new int[image.width() * image.height()];
        for (int i = 0; i < out.length; i++) out[i] = image.get(i % image.width(), i / image.width(), c);
        return out;
    }

    @Test
    void sameSizeIsTheIdentity() {
        RgbImage image = grey(3, 1, 0, 128, 255);
        assertEquals(image, PillowResize.resize(image, 3, 1, PillowResize.Filter.BILINEAR));
    }

    /** Values Pillow 12.3 gives for Image.fromarray(np.array([[0, 100, 200, 255]], np.uint8)).resize(…). */
    @Test
    void downscalingAveragesOverTheWiderTriangle() {
        RgbImage row = grey(4, 1, 0, 100, 200, 255);
        assertArrayEquals(new int[] {71, 209}, channel(PillowResize.resize(row, 2, 1, PillowResize.Filter.BILINEAR), 0));
        assertArrayEquals(new int[] {0, 70, 150, 216, 255},
                channel(PillowResize.resize(row, 5, 1, PillowResize.Filter.BILINEAR), 1));
    }

    @Test
    void bicubicOvershootsAndClipsAsPillowDoes() {
        RgbImage row = grey(4, 1, 0, 100, 200, 255);
        assertArrayEquals(new int[] {19, 152, 247}, channel(PillowResize.resize(row, 3, 1, PillowResize.Filter.BICUBIC), 2));
        assertArrayEquals(new int[] {0, 26, 92, 153, 206, 242, 255},
                channel(PillowResize.resize(row, 7, 1, PillowResize.Filter.BICUBIC), 0));
    }
}
