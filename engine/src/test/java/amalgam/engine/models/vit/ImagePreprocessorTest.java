package amalgam.engine.models.vit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import amalgam.engine.InputException;
import amalgam.engine.Tensor;
import amalgam.engine.hub.JsonConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

class ImagePreprocessorTest {

    /** One 8-bit level after rescale 1/255 and normalisation with std 0.5. */
    private static final double LEVEL = 1 / 255.0 / 0.5;

    /**
     * The JDK's JPEG decoder is its own build of IJG code, not the libjpeg-turbo Pillow links, and may differ by a
     * level or two on other files; on the fixture photo (4:2:0, quality 90) it measured 0 levels, at full size
     * and after resizing.
     */
    private static final double JPEG_LEVELS = 2;

    private static final VitFixture FIXTURE = VitFixture.load("vit-f32");

    @TempDir
    Path dir;

    private static ImagePreprocessor fixturePreprocessor() {
        return ImagePreprocessor.read(FIXTURE.directory().resolve(ImagePreprocessor.CONFIG));
    }

    private static float[] pixels(String image) {
        VitFixture.Case expected = FIXTURE.only(image, List.of());
        Tensor pixels = fixturePreprocessor().pixels(FIXTURE.directory().resolve(image));
        int[] shape = new int[] {1, expected.pixelShape()[0], expected.pixelShape()[1], expected.pixelShape()[2]};
        assertArrayEquals(shape, pixels.shape());
        return pixels.toFloatArray();
    }

    @Test
    void readsTheFixtureProcessorConfig() {
        ImagePreprocessor p = fixturePreprocessor();
        assertTrue(p.doResize() && p.doRescale() && p.doNormalize());
        assertArrayEquals(new int[] {32, 32}, p.size());
        assertEquals(PillowResize.Filter.BILINEAR, p.resample());
        assertArrayEquals(new double[] {0.5, 0.5, 0.5}, p.imageStd());
    }

    @Test
    void nonSquareRgbPngMatchesTransformersExactly() {
        float[] expected = FIXTURE.only("rgb.png", List.of()).pixelValues();
        assertTrue(VitFixture.maxAbsDifference(pixels("rgb.png"), expected) < 1e-6);
    }

    @Test
    void greyPngIsConvertedToRgbAndMatchesExactly() {
        float[] expected = FIXTURE.only("gray.png", List.of()).pixelValues();
        assertTrue(VitFixture.maxAbsDifference(pixels("gray.png"), expected) < 1e-6);
    }

    @Test
    void jpegMatchesWithinTheDecoderTolerance() {
        float[] expected = FIXTURE.only("photo.jpg", List.of()).pixelValues();
        double levels = VitFixture.maxAbsDifference(pixels("photo.jpg"), expected) / LEVEL;
        assertTrue(levels <= JPEG_LEVELS, "photo.jpg differs by " + levels + " levels");
    }

    @Test
    void shortestEdgeKeepsTheAspectRatio() throws IOException {
        Files.writeString(dir.resolve("p.json"), "{\"size\": {\"shortest_edge\": 20}}");
        ImagePreprocessor p = ImagePreprocessor.read(dir.resolve("p.json"));
        assertArrayEquals(new int[] {20, 31}, p.outputSize(29, 45)); // int(20·45/29) = 31, as transformers truncates
        assertArrayEquals(new int[] {31, 20}, p.outputSize(45, 29));
    }

    @Test
    void refusesUnsupportedOptionsByName() throws IOException {
        for (String[] bad : new String[][] {{"{\"resample\": 1}", "resample"}, {"{\"do_center_crop\": true}",
                "do_center_crop"}, {"{\"size\": {\"max_height\": 3, \"max_width\": 3}}", "size"},
                {"{\"image_mean\": [0.5]}", "image_mean"}}) {
            Path file = dir.resolve(ImagePreprocessor.CONFIG);
            Files.writeString(file, bad[0]);
            InputException e = assertThrows(InputException.class, () -> ImagePreprocessor.read(file), bad[0]);
            assertTrue(e.getMessage().contains(ImagePreprocessor.CONFIG) && e.getMessage().contains("'" + bad[1] + "'"),
                    e.getMessage());
        }
    }

    @Test
    void aFileThatIsNotAnImageIsAnInputErrorNamingIt() throws IOException {
        ImagePreprocessor p = ImagePreprocessor.from(readDefaults());
        Path text = dir.resolve("notes.png");
        Files.writeString(text, "not an image");
        InputException e = assertThrows(InputException.class, () -> p.pixels(text));
        assertTrue(e.getMessage().startsWith(text.toString()), e.getMessage());

        byte[] png = Files.readAllBytes(FIXTURE.directory().resolve("rgb.png"));
        Path truncated = dir.resolve("truncated.png");
        Files.write(truncated, java.util.Arrays.copyOf(png, png.length / 2));
        e = assertThrows(InputException.class, () -> p.pixels(truncated));
        assertTrue(e.getMessage().startsWith(truncated.toString()), e.getMessage());

        e = assertThrows(InputException.class, () -> p.pixels(dir.resolve("absent.jpg")));
        assertTrue(e.getMessage().contains("absent.jpg"), e.getMessage());
    }

    private JsonConfig readDefaults() throws IOException {
        Files.writeString(dir.resolve("empty.json"), "{}");
        return JsonConfig.read(dir.resolve("empty.json"));
    }
}
