package amalgam.engine.models.vit;

import amalgam.engine.InputException;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * An 8-bit RGB image, pixels interleaved row by row (r, g, b, r, …), as Pillow's {@code convert("RGB")} leaves
 * one: grey is copied to all three channels, palettes are looked up, alpha is dropped (not composited).
 */
public record RgbImage(int width, int height, byte[] rgb) {

    public RgbImage {
        if (width <= 0 || height <= 0 || rgb.length != 3 * width * height) {
            throw new IllegalArgumentException(rgb.length + " bytes are not a " + width + "×" + height + " RGB image");
        }
    }

    /** Sample {@code channel} (0 r, 1 g, 2 b) of pixel (x, y), 0..255. */
    public int get(int x, int y, int channel) {
        return rgb[3 * (y * width + x) + channel] & 0xff;
    }

    /**
     * Decodes a PNG, JPEG, GIF or BMP file with javax.imageio. Its raw samples are used, as Pillow uses them:
     * no colour management (embedded ICC profiles and PNG gamma are ignored).
     */
    public static RgbImage read(Path file) {
        if (!Files.isRegularFile(file)) throw new InputException(file.toString(), "no such file");
        BufferedImage image;
        try {
            image = ImageIO.read(file.toFile());
        } catch (IOException | RuntimeException e) { // corrupt files surface as either
            throw new InputException(file.toString(), "cannot be decoded as an image: " + e.getMessage(), e);
        }
        if (image == null) {
            throw new InputException(file.toString(), "is not an image format javax.imageio reads (PNG, JPEG, GIF, BMP)");
        }
        return fromRaster(file, image);
    }

    private static RgbImage fromRaster(Path file, BufferedImage image) {
        int w = image.getWidth(), h = image.getHeight();
        ColorModel model = image.getColorModel();
        Raster raster = image.getRaster();
        byte[] rgb = new byte[3 * w * h];
        int[] row = new int[w * raster.getNumBands()];
        if (model instanceof IndexColorModel palette) {
            for (int y = 0; y < h; y++) {
                raster.getSamples(0, y, w, 1, 0, row);
                for (int x = 0; x < w; x++) {
                    int i = 3 * (y * w + x), index = row[x];
                    rgb[i] = (byte) palette.getRed(index);
                    rgb[i + 1] = (byte) palette.getGreen(index);
                    rgb[i + 2] = (byte) palette.getBlue(index);
                }
            }
            return new RgbImage(w, h, rgb);
        }
        int bits = 0;
        for (int b : model.getComponentSize()) bits = Math.max(bits, b);
        if (bits > 8) {
            throw new InputException(file.toString(), bits + "-bit samples are not supported: save it with 8 bits per sample");
        }
        int colours = model.getNumColorComponents(), space = model.getColorSpace().getType();
        boolean grey = colours == 1 && space == ColorSpace.TYPE_GRAY, colour = colours == 3 && space == ColorSpace.TYPE_RGB;
        if (!grey && !colour) {
            throw new InputException(file.toString(), "has an unsupported colour space (" + colours
                    + " colour components): only grey, RGB and palette images are read");
        }
        int max = (1 << bits) - 1, bands = raster.getNumBands(); // grey below 8 bits is stretched to 0..255, as Pillow does
        for (int y = 0; y < h; y++) {
            raster.getPixels(0, y, w, 1, row);
            for (int x = 0; x < w; x++) {
                int i = 3 * (y * w + x), at = x * bands;
                for (int c = 0; c < 3; c++) {
                    int v = row[at + (grey ? 0 : c)];
                    rgb[i + c] = (byte) (max == 255 ? v : v * 255 / max);
                }
            }
        }
        return new RgbImage(w, h, rgb);
    }
}
