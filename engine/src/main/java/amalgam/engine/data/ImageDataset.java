package amalgam.engine.data;

import amalgam.engine.DType;
import amalgam.engine.Tensor;

/**
 * Labelled grayscale images held as bytes (one byte per pixel keeps 60k images at 47 MB); batches are
 * scaled to [0, 1] floats when they are made.
 */
public final class ImageDataset {

    private final byte[] pixels;
    private final int[] labels;
    private final int height, width;

    public ImageDataset(byte[] pixels, int[] labels, int height, int width) {
        if ((long) labels.length * height * width != pixels.length) {
            throw new IllegalArgumentException(labels.length + " labels for " + pixels.length + " pixels of "
                    + height + "×" + width + " images");
        }
        this.pixels = pixels;
        this.labels = labels;
        this.height = height;
        this.width = width;
    }

    /** Images and labels from an IDX image file [n, h, w] and an IDX label file [n]. */
    public static ImageDataset of(IdxFile images, IdxFile labels) {
        int[] d = images.dims();
        if (d.length != 3 || labels.dims().length != 1 || labels.dims()[0] != d[0]) {
            throw new IllegalArgumentException("expected images [n, h, w] and labels [n], got " + images + " and " + labels);
        }
        int[] l = new int[d[0]];
        for (int i = 0; i < l.length; i++) l[i] = labels.data()[i] & 0xff;
        return new ImageDataset(images.data(), l, d[1], d[2]);
    }

    /** Images from an IDX image file [n, h, w] without labels (every label 0), for label-free objectives. */
    public static ImageDataset unlabelled(IdxFile images) {
        int[] d = images.dims();
        if (d.length != 3) throw new IllegalArgumentException("expected images [n, h, w], got " + images);
        return new ImageDataset(images.data(), new int[d[0]], d[1], d[2]);
    }

    public int size() {
        return labels.length;
    }

    public int pixelsPerImage() {
        return height * width;
    }

    public int label(int i) {
        return labels[i];
    }

    /** Images {@code indices} as a tensor [indices.length, h·w] with values in [0, 1]. */
    public Tensor images(int[] indices) {
        int p = pixelsPerImage();
        float[] values = new float[indices.length * p];
        for (int j = 0; j < indices.length; j++) {
            int base = indices[j] * p;
            for (int k = 0; k < p; k++) values[j * p + k] = (pixels[base + k] & 0xff) / 255f;
        }
        return Tensor.of(values, indices.length, p);
    }

    /** As {@link #images}, in a given dtype. */
    public Tensor images(int[] indices, DType dtype) {
        Tensor t = images(indices);
        return dtype == DType.F32 ? t : Tensor.of(dtype, t.toDoubleArray(), t.shape().clone());
    }

    public int[] labels(int[] indices) {
        int[] out = new int[indices.length];
        for (int j = 0; j < indices.length; j++) out[j] = labels[indices[j]];
        return out;
    }
}
