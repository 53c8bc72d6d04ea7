package amalgam.merge.dil;

import amalgam.engine.data.ImageDataset;

import java.util.List;

/** Building datasets out of chosen images of others (the memory buffer, the joint training set). */
final class Datasets {

    private Datasets() {}

    /** The images {@code indices.get(k)} of {@code sources.get(k)}, for every k, in order. */
    static ImageDataset concat(List<ImageDataset> sources, List<int[]> indices) {
        int total = 0;
        for (int[] idx : indices) total += idx.length;
        int p = sources.getFirst().pixelsPerImage();
        byte[] pixels = new byte[total * p];
        int[] labels = new int[total];
        int at = 0;
        for (int k = 0; k < sources.size(); k++) {
            ImageDataset source = sources.get(k);
            for (int i : indices.get(k)) {
                float[] values = source.images(new int[] {i}).toFloatArray();
                for (int j = 0; j < p; j++) pixels[at * p + j] = (byte) Math.round(values[j] * 255);
                labels[at++] = source.label(i);
            }
        }
        return new ImageDataset(pixels, labels, 28, 28);
    }
}
