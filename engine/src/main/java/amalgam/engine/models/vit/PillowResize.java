package amalgam.engine.models.vit;

/**
 * Pillow's {@code Image.resize} for 8-bit images (libImaging/Resample.c), reproduced to the bit: a separable
 * convolution whose filter support grows with the downscale factor (so downscaling is antialiased), horizontal
 * pass first, each pass with 22-bit fixed-point weights and rounded back to 8 bits.
 */
public final class PillowResize {

    /** Pillow's filters with their support at scale 1 (Image.Resampling's numbers: BILINEAR 2, BICUBIC 3). */
    public enum Filter {
        BILINEAR(1.0) {
            @Override
            double weight(double x) {
                x = Math.abs(x);
                return x < 1.0 ? 1.0 - x : 0.0;
            }
        },
        BICUBIC(2.0) {
            @Override
            double weight(double x) {
                final double a = -0.5;
                x = Math.abs(x);
                if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
                if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
                return 0.0;
            }
        };

        private final double support;

        Filter(double support) {
            this.support = support;
        }

        abstract double weight(double x);
    }

    private static final int PRECISION_BITS = 32 - 8 - 2;

    private PillowResize() {}

    public static RgbImage resize(RgbImage image, int width, int height, Filter filter) {
        RgbImage out = image;
        if (width != image.width()) out = pass(out, width, filter, true);
        if (height != image.height()) out = pass(out, height, filter, false);
        return out;
    }

    /** Taps of one output position: the first input index and fixed-point weights. */
    private record Taps(int first, int[] weights) {}

    /** Pillow's precompute_coeffs followed by normalize_coeffs_8bpc. */
    private static Taps[] taps(int inSize, int outSize, Filter filter) {
        double scale = (double) inSize / outSize;
        double filterScale = Math.max(scale, 1.0);
        double support = filter.support * filterScale;
        Taps[] taps = new Taps[outSize];
        for (int xx = 0; xx < outSize; xx++) {
            double center = (xx + 0.5) * scale;
            double ss = 1.0 / filterScale;
            int xmin = Math.max(0, (int) (center - support + 0.5));
            int xmax = Math.min(inSize, (int) (center + support + 0.5)) - xmin;
            double[] k = new double[Math.max(0, xmax)];
            double sum = 0.0;
            for (int x = 0; x < k.length; x++) {
                k[x] = filter.weight((x + xmin - center + 0.5) * ss);
                sum += k[x];
            }
            int[] fixed = new int[k.length];
            for (int x = 0; x < k.length; x++) {
                double w = sum != 0.0 ? k[x] / sum : k[x];
                fixed[x] = (int) (w < 0 ? -0.5 + w * (1 << PRECISION_BITS) : 0.5 + w * (1 << PRECISION_BITS));
            }
            taps[xx] = new Taps(xmin, fixed);
        }
        return taps;
    }

    /** One pass along x ({@code horizontal}) or y, to {@code size} samples on that axis. */
    private static RgbImage pass(RgbImage in, int size, Filter filter, boolean horizontal) {
        int w = horizontal ? size : in.width(), h = horizontal ? in.height() : size;
        Taps[] taps = taps(horizontal ? in.width() : in.height(), size, filter);
        byte[] src = in.rgb(), dst = new byte[3 * w * h];
        int step = horizontal ? 3 : 3 * in.width(); // bytes between neighbouring taps
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                Taps t = taps[horizontal ? x : y];
                int base = horizontal ? 3 * (y * in.width() + t.first()) : 3 * (t.first() * in.width() + x);
                for (int c = 0; c < 3; c++) {
                    int acc = 1 << (PRECISION_BITS - 1);
                    int[] k = t.weights();
                    for (int i = 0, at = base + c; i < k.length; i++, at += step) acc += (src[at] & 0xff) * k[i];
                    dst[3 * (y * w + x) + c] = (byte) Math.clamp(acc >> PRECISION_BITS, 0, 255);
                }
            }
        }
        return new RgbImage(w, h, dst);
    }
}
