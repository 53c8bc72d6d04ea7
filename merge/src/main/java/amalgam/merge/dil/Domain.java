package amalgam.merge.dil;

import java.util.Random;

/**
 * The four domains of the domain-incremental experiment, made from Fashion-MNIST by deterministic transforms,
 * in the spirit of PACS's photo / cartoon / sketch / art: the same ten classes, increasingly different looks.
 */
public enum Domain {
    /** The images as they are (PACS's photo). */
    ORIGINAL("original", "the Fashion-MNIST images unchanged"),
    /** Three gray levels, flat regions with hard boundaries (PACS's cartoon). */
    POSTERIZED("posterized", "pixels rounded to 3 gray levels (0, 128, 255)"),
    /** Outlines only (PACS's sketch). */
    EDGES("edges", "Sobel gradient magnitude / 4, clipped to 255: white outlines on black"),
    /** Turned and grainy (PACS's art, a change of pose and texture). */
    ROTATED_NOISY("rotated-noisy", "a quarter turn clockwise plus Gaussian noise (σ = 40 gray levels), seeded per image");

    static final double NOISE_STD = 40;
    private static final int SIDE = 28;

    private final String id, description;

    Domain(String id, String description) {
        this.id = id;
        this.description = description;
    }

    /** The name in tables, reports and the JSON results. */
    public String id() {
        return id;
    }

    public String description() {
        return description;
    }

    /** Transforms one 28×28 image; {@code imageSeed} seeds the noise, so a given image always looks the same. */
    public int[] apply(int[] image, long imageSeed) {
        return switch (this) {
            case ORIGINAL -> image.clone();
            case POSTERIZED -> ImageTransforms.posterize(image, 3);
            case EDGES -> ImageTransforms.sobelEdges(image, SIDE);
            case ROTATED_NOISY -> ImageTransforms.addNoise(ImageTransforms.rotateClockwise(image, SIDE), NOISE_STD,
                    new Random(imageSeed));
        };
    }
}
