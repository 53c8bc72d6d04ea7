package amalgam.engine.models.vit;

import amalgam.engine.Tensor;
import amalgam.engine.hub.JsonConfig;

import java.nio.file.Path;
import java.util.Optional;

/**
 * transformers' ViTImageProcessor as configured by a preprocessor_config.json: convert to RGB, resize as Pillow
 * does, rescale (×1/255), normalise ((x − mean)/std per channel), channels first.
 *
 * <p>Images are always converted to RGB (the model takes three channels; transformers gives grey and RGB images
 * the same values either way). Centre cropping and size forms other than {height, width} and {shortest_edge}
 * are refused by name.
 *
 * @param size the output {height, width}, or null with {@code shortestEdge} set
 * @param shortestEdge the length of the shorter side after resizing (the longer keeps the aspect ratio), or 0
 */
public record ImagePreprocessor(boolean doResize, int[] size, int shortestEdge, PillowResize.Filter resample,
        boolean doRescale, double rescaleFactor, boolean doNormalize, double[] imageMean, double[] imageStd) {

    public static final String CONFIG = "preprocessor_config.json";

    /** Pillow's Image.Resampling numbers, as preprocessor configs write them. */
    private static final int BILINEAR = 2, BICUBIC = 3;

    public static ImagePreprocessor read(Path file) {
        return from(JsonConfig.read(file));
    }

    /** The processor of a parsed config, with ViTImageProcessor's defaults for absent keys. */
    public static ImagePreprocessor from(JsonConfig config) {
        if (config.flag("do_center_crop", false)) throw config.error("do_center_crop", "centre cropping is not supported");
        boolean doResize = config.flag("do_resize", true);
        int[] size = null;
        int shortestEdge = 0;
        Optional<JsonConfig> sizeConfig = config.object("size");
        if (sizeConfig.isEmpty()) {
            size = new int[] {224, 224};
        } else {
            JsonConfig s = sizeConfig.get();
            if (s.has("height") || s.has("width")) {
                size = new int[] {s.positive("height"), s.positive("width")};
            } else if (s.has("shortest_edge") && !s.has("longest_edge")) {
                shortestEdge = s.positive("shortest_edge");
            } else {
                throw config.error("size", "must be {height, width} or {shortest_edge}; other forms are not supported");
            }
        }
        int resample = config.integer("resample", BILINEAR);
        PillowResize.Filter filter = switch (resample) {
            case BILINEAR -> PillowResize.Filter.BILINEAR;
            case BICUBIC -> PillowResize.Filter.BICUBIC;
            default -> throw config.error("resample", resample + " is not supported (2 bilinear and 3 bicubic are)");
        };
        double[] mean = config.has("image_mean") ? channels(config, "image_mean") : new double[] {0.5, 0.5, 0.5};
        double[] std = config.has("image_std") ? channels(config, "image_std") : new double[] {0.5, 0.5, 0.5};
        for (double v : std) if (v == 0) throw config.error("image_std", "must not contain 0");
        return new ImagePreprocessor(doResize, size, shortestEdge, filter, config.flag("do_rescale", true),
                config.number("rescale_factor", 1 / 255.0), config.flag("do_normalize", true), mean, std);
    }

    private static double[] channels(JsonConfig config, String key) {
        double[] v = config.numbers(key);
        if (v.length != 3) throw config.error(key, "must have 3 values (one per RGB channel), found " + v.length);
        return v;
    }

    /** Pixel values [1, 3, H, W] of an image file; a file that is not a readable image is an {@link InputException}. */
    public Tensor pixels(Path imageFile) {
        return pixels(RgbImage.read(imageFile));
    }

    public Tensor pixels(RgbImage image) {
        RgbImage resized = image;
        if (doResize) {
            int[] hw = outputSize(image.height(), image.width());
            resized = PillowResize.resize(image, hw[1], hw[0], resample);
        }
        int h = resized.height(), w = resized.width();
        float[] values = new float[3 * h * w];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    double v = resized.get(x, y, c);
                    if (doRescale) v *= rescaleFactor;
                    if (doNormalize) v = (v - imageMean[c]) / imageStd[c];
                    values[(c * h + y) * w + x] = (float) v;
                }
            }
        }
        return Tensor.of(values, 1, 3, h, w);
    }

    /** {height, width} after resizing an image of the given size (transformers' get_resize_output_image_size). */
    int[] outputSize(int height, int width) {
        if (size != null) return size.clone();
        int shorter = Math.min(height, width), longer = Math.max(height, width);
        int newLonger = (int) ((double) shortestEdge * longer / shorter);
        return width <= height ? new int[] {newLonger, shortestEdge} : new int[] {shortestEdge, newLonger};
    }
}
