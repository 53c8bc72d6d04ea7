package amalgam.engine.data;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class FashionMnistTest {

    @Test
    void embeddedSubsetHasAllClassesAndSaneImages() {
        FashionMnist data = FashionMnist.embedded();
        assertEquals(10_000, data.train().size());
        assertEquals(2_000, data.test().size());
        assertEquals(784, data.train().pixelsPerImage());
        int[] counts = new int[10];
        for (int i = 0; i < data.train().size(); i++) counts[data.train().label(i)]++;
        for (int c : counts) assertEquals(1_000, c, "classes are balanced: " + Arrays.toString(counts));
        float[] first = data.train().images(new int[] {0}).toFloatArray();
        double mean = 0;
        for (float v : first) mean += v / first.length;
        assertEquals(0.3, mean, 0.25, "a clothing image, not noise or zeros");
    }

    @Test
    void embeddedSubsetIsTheFirstImagesOfEachClassOfTheFullSet() throws IOException {
        assumeTrue(Files.isDirectory(FashionMnist.DEBIAN_DIRECTORY), "full set not installed (dataset-fashion-mnist)");
        FashionMnist full = FashionMnist.load(FashionMnist.DEBIAN_DIRECTORY), embedded = FashionMnist.embedded();
        assertEquals(60_000, full.train().size());
        assertEquals(10_000, full.test().size());
        assertSelection(full.train(), embedded.train(), 1_000);
        assertSelection(full.test(), embedded.test(), 200);
    }

    /** The embedded set is, in order, the first {@code perClass} images of each class of the full set. */
    private static void assertSelection(ImageDataset full, ImageDataset embedded, int perClass) {
        int[] taken = new int[10];
        int next = 0;
        for (int i = 0; i < full.size() && next < embedded.size(); i++) {
            int label = full.label(i);
            if (taken[label]++ >= perClass) continue;
            if (next % 997 == 0 || next == embedded.size() - 1) {
                assertEquals(label, embedded.label(next), "label of embedded image " + next);
                assertArrayEquals(full.images(new int[] {i}).toFloatArray(),
                        embedded.images(new int[] {next}).toFloatArray(), "embedded image " + next);
            }
            next++;
        }
        assertEquals(embedded.size(), next);
    }

    @Test
    void missingDirectorySaysWhatToInstall() {
        IOException e = assertThrows(IOException.class, () -> FashionMnist.load(Path.of("/nonexistent")));
        assertEquals(true, e.getMessage().contains("dataset-fashion-mnist"), e.getMessage());
    }

    @Test
    void batchesCoverEveryIndexOncePerEpoch() {
        Batches batches = new Batches(10, 4, 1);
        assertEquals(3, batches.perEpoch());
        int[] seen = new int[10];
        for (int b = 0; b < 3; b++) for (int i : batches.next()) seen[i]++;
        int[] ones = new int[10];
        Arrays.fill(ones, 1);
        assertArrayEquals(ones, seen);
        assertEquals(4, batches.next().length, "the next epoch starts");
    }
}
