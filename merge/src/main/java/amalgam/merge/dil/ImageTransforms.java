package amalgam.merge.dil;

import java.util.Random;

/** Deterministic pixel transforms of square grayscale images (bytes 0..255, row-major) that define the domains. */
final class ImageTransforms {

    private ImageTransforms() {}

    /** Rounds every pixel to the nearest of {@code levels} evenly spaced gray levels. */
    static int[] posterize(int[] image, int levels) {
        int[] out = new int[image.length];
        double step = 255.0 / (levels - 1);
        for (int i = 0; i < image.length; i++) out[i] = (int) Math.round(Math.round(image[i] / step) * step);
        return out;
    }

    /** Sobel gradient magnitude / 4, clipped to 255, zero padding at the border: a white-on-black edge map. */
    static int[] sobelEdges(int[] image, int side) {
        int[] out = new int[image.length];
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) {
                int gx = at(image, side, y - 1, x + 1) + 2 * at(image, side, y, x + 1) + at(image, side, y + 1, x + 1)
                        - at(image, side, y - 1, x - 1) - 2 * at(image, side, y, x - 1) - at(image, side, y + 1, x - 1);
                int gy = at(image, side, y + 1, x - 1) + 2 * at(image, side, y + 1, x) + at(image, side, y + 1, x + 1)
                        - at(image, side, y - 1, x - 1) - 2 * at(image, side, y - 1, x) - at(image, side, y - 1, x + 1);
                out[y * side + x] = (int) Math.min(255, Math.round(Math.sqrt((double) gx * gx + (double) gy * gy) / 4));
            }
        }
        return out;
    }

    /** A quarter turn clockwise: the left column becomes the top row. */
    static int[] rotateClockwise(int[] image, int side) {
        int[] out = new int[image.length];
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) out[y * side + x] = image[(side - 1 - x) * side + y];
        }
        return out;
    }

    /** Adds N(0, std²) noise from {@code random} to every pixel, rounded and clipped to 0..255. */
    static int[] addNoise(int[] image, double std, Random random) {
        int[] out = new int[image.length];
        for (int i = 0; i < image.length; i++) {
            out[i] = (int) Math.max(0, Math.min(255, Math.round(image[i] + std * random.nextGaussian())));
        }
        return out;
    }

    private static int at(int[] image, int side, int y, int x) {
        return y < 0 || x < 0 || y >= side || x >= side ? 0 : image[y * side + x];
    }
}
