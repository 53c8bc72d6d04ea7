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
        assertEquals(4000, data.train().size());
        assertEquals(1000, data.test().size());
        assertEquals(784, data.train().pixelsPerImage());
        int[] counts = new int[10];
        for (int i = 0; i < data.train().size(); i++) counts[data.train().label(i)]++;
        for (int c : counts) assertEquals(400, c, 40, "classes are roughly balanced: " + Arrays.toString(counts));
        float[] first = data.train().images(new int[] {0}).toFloatArray();
        double mean = 0;
        for (float v : first) mean += v / first.length;
        assertEquals(0.3, mean, 0.25, "a clothing image, not noise or zeros");
    }

    @Test
    void embeddedSubsetIsThePrefixOfTheFullSet() throws IOException {
        assumeTrue(Files.isDirectory(FashionMnist.DEBIAN_DIRECTORY), "full set not installed (dataset-fashion-mnist)");
        FashionMnist full = FashionMnist.load(FashionMnist.DEBIAN_DIRECTORY), embedded = FashionMnist.embedded();
        assertEquals(60_000, full.train().size());
        assertEquals(10_000, full.test().size());
        int[] some = {0, 1, 999, 3999};
        assertArrayEquals(full.train().images(some).toFloatArray(), embedded.train().images(some).toFloatArray());
        assertArrayEquals(full.test().labels(new int[] {0, 999}), embedded.test().labels(new int[] {0, 999}));
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
