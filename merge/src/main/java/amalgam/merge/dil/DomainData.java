package amalgam.merge.dil;

import amalgam.engine.Tensor;
import amalgam.engine.data.ImageDataset;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** One domain's training and test images: a seeded subset of Fashion-MNIST, transformed. */
public record DomainData(Domain domain, ImageDataset train, ImageDataset test) {

    private static final int SIDE = 28;

    /**
     * The domain's images from the first {@code trainCount} / {@code testCount} of a seeded shuffle of each split
     * (all of them when the count is larger). The transform's noise depends on the image only, not the seed.
     */
    public static DomainData of(Domain domain, ImageDataset train, ImageDataset test, int trainCount, int testCount,
                                long seed) {
        return new DomainData(domain, transformed(domain, train, trainCount, seed, 0),
                transformed(domain, test, testCount, seed + 1, 1));
    }

    private static ImageDataset transformed(Domain domain, ImageDataset source, int count, long seed, int split) {
        int[] chosen = firstOfShuffle(source.size(), Math.min(count, source.size()), seed);
        int p = source.pixelsPerImage();
        byte[] pixels = new byte[chosen.length * p];
        int[] labels = new int[chosen.length];
        for (int j = 0; j < chosen.length; j++) {
            float[] values = source.images(new int[] {chosen[j]}).toFloatArray();
            int[] image = new int[p];
            for (int k = 0; k < p; k++) image[k] = Math.round(values[k] * 255);
            long imageSeed = ((long) domain.ordinal() * 2 + split) * 1_000_003L + chosen[j];
            int[] out = domain.apply(image, imageSeed);
            for (int k = 0; k < p; k++) pixels[j * p + k] = (byte) out[k];
            labels[j] = source.label(chosen[j]);
        }
        return new ImageDataset(pixels, labels, SIDE, SIDE);
    }

    /** The first {@code count} indices of a seeded Fisher–Yates shuffle of 0..size−1. */
    static int[] firstOfShuffle(int size, int count, long seed) {
        int[] order = new int[size];
        for (int i = 0; i < size; i++) order[i] = i;
        Random random = new Random(seed);
        for (int i = size - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return java.util.Arrays.copyOf(order, count);
    }

    /** The memory buffer's share of this domain: {@code perClass} training indices of each class, seeded. */
    public int[] bufferIndices(int perClass, int classes, long seed) {
        int[] taken = new int[classes];
        List<Integer> out = new ArrayList<>();
        for (int i : firstOfShuffle(train.size(), train.size(), seed)) {
            int label = train.label(i);
            if (taken[label] < perClass) {
                taken[label]++;
                out.add(i);
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Every test image as one tensor [n, 784] that outlives steps. */
    public Tensor testImages() {
        return test.images(all(test.size())).toPersistent();
    }

    public int[] testLabels() {
        return test.labels(all(test.size()));
    }

    static int[] all(int n) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) out[i] = i;
        return out;
    }
}
