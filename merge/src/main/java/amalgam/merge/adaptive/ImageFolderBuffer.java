package amalgam.merge.adaptive;

import amalgam.engine.InputException;
import amalgam.engine.Tensor;
import amalgam.engine.io.MissingPath;
import amalgam.engine.models.ImageClassifier;
import amalgam.engine.ops.Joins;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * An image buffer as torchvision's ImageFolder lays it out: one sub-folder per class, named as the model's
 * {@code id2label} names it, holding PNG or JPEG files, each prepared as the model's preprocessor says. Hidden
 * files are skipped; anything else (a file that is not an image, a folder no label names) is an
 * {@link InputException} naming it.
 */
public final class ImageFolderBuffer {

    private ImageFolderBuffer() {}

    public static LabelledImages read(Path directory, ImageClassifier model, Objective objective) {
        if (!Files.isDirectory(directory)) {
            throw new InputException(directory.toString(), Files.exists(directory)
                    ? "is a file; an image buffer is a folder with one sub-folder per class"
                    : MissingPath.describe(directory, "folder"));
        }
        List<String> labels = model.labels();
        List<Tensor> pixels = new ArrayList<>();
        List<Integer> classes = new ArrayList<>();
        for (Path classFolder : sorted(directory)) {
            String name = classFolder.getFileName().toString();
            if (!Files.isDirectory(classFolder)) {
                throw new InputException(classFolder.toString(), "expected only class folders in " + directory);
            }
            int label = labels.indexOf(name);
            if (label < 0) {
                throw new InputException(classFolder.toString(), "names no class of the model; its labels "
                        + "(config.json id2label) are " + shortList(labels));
            }
            for (Path image : sorted(classFolder)) {
                String file = image.getFileName().toString().toLowerCase(Locale.ROOT);
                if (!Files.isRegularFile(image) || !(file.endsWith(".png") || file.endsWith(".jpg")
                        || file.endsWith(".jpeg"))) {
                    throw new InputException(image.toString(), "is not a PNG or JPEG image");
                }
                pixels.add(model.pixels(image));
                classes.add(label);
            }
        }
        if (pixels.isEmpty()) {
            throw new InputException(directory.toString(), "holds no images (expected CLASS/IMAGE.png for classes "
                    + shortList(labels) + ")");
        }
        Tensor images = Joins.concat(0, pixels.toArray(Tensor[]::new)).toPersistent();
        return new LabelledImages(model::logits, images, classes.stream().mapToInt(Integer::intValue).toArray(), objective);
    }

    /** The visible entries of a folder by name, so the buffer's order does not depend on the file system. */
    private static List<Path> sorted(Path folder) {
        try (Stream<Path> entries = Files.list(folder)) {
            return entries.filter(p -> !p.getFileName().toString().startsWith(".")).sorted().toList();
        } catch (IOException e) {
            throw new InputException(folder.toString(), "cannot be listed: " + e.getMessage(), e);
        }
    }

    private static String shortList(List<String> labels) {
        return labels.size() <= 10 ? String.join(", ", labels)
                : String.join(", ", labels.subList(0, 10)) + ", … (" + labels.size() + " in all)";
    }
}
