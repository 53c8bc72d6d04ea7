package amalgam.engine.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Fashion-MNIST: 28×28 grayscale images of 10 kinds of clothing. {@link #embedded} is a committed, class-balanced
 * subset (the first 1,000 training and 200 test images of each class) that needs no download; {@link #load} reads the full set from a
 * directory such as the one Debian's {@code dataset-fashion-mnist} installs.
 */
public record FashionMnist(ImageDataset train, ImageDataset test) {

    public static final Path DEBIAN_DIRECTORY = Path.of("/usr/share/datasets/fashion-mnist");
    public static final String[] CLASSES = {
            "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"};

    private static final String RESOURCE_DIRECTORY = "/amalgam/data/fashion-mnist-subset/";

    /** The subset embedded in this jar. */
    public static FashionMnist embedded() {
        try {
            return new FashionMnist(
                    ImageDataset.of(resource("train-images-idx3-ubyte.gz"), resource("train-labels-idx1-ubyte.gz")),
                    ImageDataset.of(resource("t10k-images-idx3-ubyte.gz"), resource("t10k-labels-idx1-ubyte.gz")));
        } catch (IOException e) {
            throw new UncheckedIOException("the embedded Fashion-MNIST subset is unreadable (a broken build?)", e);
        }
    }

    /** The four standard files (gzip-compressed or not) from {@code directory}. */
    public static FashionMnist load(Path directory) throws IOException {
        return new FashionMnist(split(directory, "train"), split(directory, "t10k"));
    }

    /** One split's images and labels; a count mismatch or a label outside the 10 classes names the files. */
    private static ImageDataset split(Path directory, String prefix) throws IOException {
        String images = prefix + "-images-idx3-ubyte", labels = prefix + "-labels-idx1-ubyte";
        ImageDataset data;
        try {
            data = ImageDataset.of(file(directory, images), file(directory, labels));
        } catch (IllegalArgumentException e) {
            throw new IOException(directory.resolve(images) + ", " + labels + ": " + e.getMessage(), e);
        }
        for (int i = 0; i < data.size(); i++) {
            if (data.label(i) >= CLASSES.length) {
                throw new IOException(directory.resolve(labels) + ": label " + data.label(i) + " of image " + i
                        + " is not a Fashion-MNIST class (0 to " + (CLASSES.length - 1) + ")");
            }
        }
        return data;
    }

    private static IdxFile file(Path directory, String name) throws IOException {
        Path plain = directory.resolve(name), gz = directory.resolve(name + ".gz");
        if (Files.exists(gz)) return IdxFile.read(gz);
        if (Files.exists(plain)) return IdxFile.read(plain);
        throw new IOException(directory + ": neither " + name + " nor " + name + ".gz is there (Fashion-MNIST "
                + "in IDX format; on Debian: apt-get install dataset-fashion-mnist)");
    }

    private static IdxFile resource(String name) throws IOException {
        try (InputStream in = FashionMnist.class.getResourceAsStream(RESOURCE_DIRECTORY + name)) {
            if (in == null) throw new IOException("resource " + RESOURCE_DIRECTORY + name + " is missing");
            return IdxFile.read(in, name);
        }
    }
}
