package amalgam.merge.dil;

import amalgam.engine.data.ImageDataset;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class DomainDataTest {

    @Test
    void theBufferHoldsSamplesPerClassOfEachClass() {
        int n = 200;
        byte[] pixels = new byte[n * 784];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) labels[i] = i % 10;
        DomainData data = new DomainData(Domain.ORIGINAL, new ImageDataset(pixels, labels, 28, 28),
                new ImageDataset(pixels, labels, 28, 28));
        int[] buffer = data.bufferIndices(3, 10, 1);
        assertEquals(30, buffer.length);
        int[] perClass = new int[10];
        for (int i : buffer) perClass[labels[i]]++;
        for (int c : perClass) assertEquals(3, c);
        assertArrayEquals(buffer, data.bufferIndices(3, 10, 1));
    }

    @Test
    void aShuffleIsAPermutation() {
        int[] order = DomainData.firstOfShuffle(50, 50, 9);
        int[] sorted = order.clone();
        java.util.Arrays.sort(sorted);
        assertArrayEquals(DomainData.all(50), sorted);
    }

    @Test
    void aRandomLoraHasTheNormOfTheOneItReplaces() {
        Random random = new Random(2);
        var a = java.util.Map.of("m", amalgam.engine.Tensor.randn(amalgam.engine.DType.F32, random, 4, 6).toPersistent());
        var b = java.util.Map.of("m", amalgam.engine.Tensor.randn(amalgam.engine.DType.F32, random, 5, 4).toPersistent());
        LoraFactors original = new LoraFactors(a, b, 2.0);
        LoraFactors control = LoraFactors.randomLike(original, new Random(3));
        double expected = LoraFactors.norm(original.deltas().get("m"));
        assertEquals(expected, LoraFactors.norm(control.deltas().get("m")), 1e-4 * expected);
    }
}
