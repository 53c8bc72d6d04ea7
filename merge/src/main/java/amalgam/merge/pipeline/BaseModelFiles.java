package amalgam.merge.pipeline;

import amalgam.engine.InputException;
import amalgam.engine.hub.Checkpoint;
import amalgam.engine.io.SafetensorsFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The files of a base model directory that a full-model merge copies unchanged — config.json,
 * generation_config.json, tokenizer and processor files, a model card — and those it leaves out: the weights it
 * rewrites, weights in other formats and folders (a {@code pytorch_model.bin} or {@code original/consolidated.pth}
 * beside the safetensors would hold the base's weights without the update, and a loader may prefer them).
 */
record BaseModelFiles(List<Path> copied, List<String> leftOut) {

    private static final List<String> WEIGHT_SUFFIXES = List.of(".safetensors", ".bin", ".pt", ".pth", ".ckpt",
            ".h5", ".msgpack", ".gguf", ".onnx");

    static BaseModelFiles of(Checkpoint base) {
        Set<String> rewritten = new HashSet<>(Set.of(Checkpoint.INDEX, MergeRecipe.FILE_NAME));
        for (SafetensorsFile f : base.files()) rewritten.add(f.path().getFileName().toString());
        List<Path> copied = new ArrayList<>();
        List<String> leftOut = new ArrayList<>();
        try (Stream<Path> entries = Files.list(base.directory())) {
            for (Path p : entries.sorted().toList()) {
                String name = p.getFileName().toString();
                if (rewritten.contains(name)) continue;
                if (Files.isDirectory(p)) leftOut.add(name + "/");
                else if (isWeights(name)) leftOut.add(name);
                else if (Files.isRegularFile(p)) copied.add(p);
            }
        } catch (IOException e) {
            throw new InputException(base.directory().toString(), "cannot list the model directory: " + e.getMessage(), e);
        }
        return new BaseModelFiles(List.copyOf(copied), List.copyOf(leftOut));
    }

    private static boolean isWeights(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return WEIGHT_SUFFIXES.stream().anyMatch(lower::endsWith);
    }

    /** Copies the files into {@code directory}, following symbolic links (a Hugging Face cache links to blobs). */
    void copyInto(Path directory) throws IOException {
        for (Path p : copied) Files.copy(p, directory.resolve(p.getFileName()));
    }

    /** A warning naming what was left out, or null. */
    String warning() {
        if (leftOut.isEmpty()) return null;
        return "not copied from the base model (other weights without the update, or folders): "
                + String.join(", ", leftOut.subList(0, Math.min(5, leftOut.size()))) + (leftOut.size() > 5 ? ", …" : "");
    }
}
