package amalgam.merge.cli;

import amalgam.engine.InputException;
import amalgam.engine.Tensor;
import amalgam.engine.data.IdxFile;
import amalgam.engine.data.ImageDataset;
import amalgam.engine.models.Architectures;
import amalgam.engine.models.CausalLanguageModel;
import amalgam.engine.models.ImageClassifier;
import amalgam.engine.models.LoadedModel;
import amalgam.engine.nn.Module;
import amalgam.engine.nn.TinyViT;
import amalgam.engine.tokenize.Tokenizer;
import amalgam.merge.adaptive.Buffer;
import amalgam.merge.adaptive.ImageFolderBuffer;
import amalgam.merge.adaptive.LabelledImages;
import amalgam.merge.adaptive.Objective;
import amalgam.merge.adaptive.PeftDeltas;
import amalgam.merge.adaptive.StandardObjective;
import amalgam.merge.adaptive.TextBufferFile;
import amalgam.merge.adaptive.TinyVitCheckpoint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What {@code train-coefficients} fits on, whatever the model: the module tree whose layers are merged, each
 * adapter's dense updates keyed by layer path, and the buffers as the model's kind reads them — JSONL text for a
 * decoder, a class folder for an image classifier, IDX files for a TinyViT checkpoint.
 */
record CoefficientInputs(String description, Module model, List<Map<String, Tensor>> deltas, List<String> modules,
                         Buffer buffer, Buffer eval) {

    /** Where the buffers come from, as the command line names them. */
    record BufferPaths(Path buffer, Path eval, Path images, Path labels, Path evalImages, Path evalLabels) {}

    /** A Hugging Face model directory (config.json, safetensors, tokenizer.json or preprocessor_config.json). */
    static CoefficientInputs huggingFace(Path modelDir, List<Path> adapters, BufferPaths paths, StandardObjective objective) {
        if (paths.images() != null || paths.evalImages() != null) {
            throw new InputException("--buffer-images", "IDX buffers are for --base TinyViT checkpoints; give a "
                    + "Hugging Face model its buffer with --buffer");
        }
        if (paths.buffer() == null) {
            throw new InputException("--buffer", "required with --model: a JSONL text file for a language model, "
                    + "a folder with one sub-folder per class for an image classifier");
        }
        LoadedModel loaded = Architectures.load(modelDir);
        List<Map<String, Tensor>> deltas = new ArrayList<>();
        for (Path a : adapters) deltas.add(PeftDeltas.read(a, loaded));
        Buffer buffer, eval = null;
        if (loaded instanceof CausalLanguageModel lm) {
            if (objective != StandardObjective.CROSS_ENTROPY) {
                throw new InputException("--objective", objective.cliName() + " is for image classifiers; a language "
                        + "model's buffer is scored by next-token cross-entropy");
            }
            Path tokenizerFile = modelDir.resolve("tokenizer.json");
            if (!Files.isRegularFile(tokenizerFile)) {
                throw new InputException(tokenizerFile.toString(), "no such file: a language model's text buffer "
                        + "needs its tokenizer");
            }
            Tokenizer tokenizer = Tokenizer.load(tokenizerFile);
            buffer = TextBufferFile.read(paths.buffer(), tokenizer, lm);
            if (paths.eval() != null) eval = TextBufferFile.read(paths.eval(), tokenizer, lm);
        } else if (loaded instanceof ImageClassifier classifier) {
            buffer = ImageFolderBuffer.read(paths.buffer(), classifier, objective);
            if (paths.eval() != null) eval = ImageFolderBuffer.read(paths.eval(), classifier, objective);
        } else {
            throw new InputException(modelDir.toString(), "a " + loaded.architecture() + " has no buffer format here");
        }
        return new CoefficientInputs(loaded.architecture() + " from " + modelDir, loaded.module(), deltas,
                commonModules(adapters, deltas), buffer, eval);
    }

    /** A TinyViT checkpoint with IDX buffers (labels optional for the label-free objective). */
    static CoefficientInputs tinyVit(Path checkpoint, List<Path> adapters, BufferPaths paths, Objective objective,
                                     boolean labelFree) {
        if (paths.buffer() != null || paths.eval() != null) {
            throw new InputException(paths.buffer() != null ? "--buffer" : "--eval", "a TinyViT checkpoint reads IDX "
                    + "buffers: give --buffer-images and --buffer-labels (--eval-images, --eval-labels)");
        }
        if (paths.images() == null) throw new InputException("--buffer-images", "required with --base");
        TinyViT model = TinyVitCheckpoint.read(checkpoint);
        List<Map<String, Tensor>> deltas = new ArrayList<>();
        for (Path a : adapters) deltas.add(PeftDeltas.read(a, model));
        Buffer buffer = idx(model, paths.images(), paths.labels(), "--buffer-labels", objective, labelFree);
        Buffer eval = paths.evalImages() == null ? null
                : idx(model, paths.evalImages(), paths.evalLabels(), "--eval-labels", objective, labelFree);
        return new CoefficientInputs("TinyViT from " + checkpoint, model, deltas, commonModules(adapters, deltas),
                buffer, eval);
    }

    private static Buffer idx(TinyViT model, Path images, Path labels, String labelsOption, Objective objective,
                              boolean labelFree) {
        if (labels == null && !labelFree) {
            throw new InputException(labelsOption, "required with --objective cross-entropy (entropy needs no labels)");
        }
        try {
            ImageDataset data = labels == null ? ImageDataset.unlabelled(IdxFile.read(images))
                    : ImageDataset.of(IdxFile.read(images), IdxFile.read(labels));
            if (data.pixelsPerImage() != TinyViT.IMAGE * TinyViT.IMAGE || data.size() == 0) {
                throw new InputException(images.toString(), "expected at least one 28×28 image");
            }
            int[] all = new int[data.size()];
            for (int i = 0; i < all.length; i++) all[i] = i;
            int[] classes = data.labels(all);
            for (int i = 0; i < classes.length; i++) {
                if (classes[i] < 0 || classes[i] >= TinyViT.CLASSES) {
                    throw new InputException(labels.toString(), "label " + classes[i] + " of image " + i
                            + " is not a TinyViT class (0 to " + (TinyViT.CLASSES - 1) + ")");
                }
            }
            return new LabelledImages(model::forward, data.images(all).toPersistent(), classes, objective);
        } catch (IOException | IllegalArgumentException e) {
            throw new InputException(images + (labels == null ? "" : ", " + labels), e.getMessage(), e);
        }
    }

    /**
     * The modules every adapter adapts, in the first adapter's order. The merged adapter is written by the merge
     * library, which combines adapters module by module and needs the same ones in each.
     */
    private static List<String> commonModules(List<Path> adapters, List<Map<String, Tensor>> deltas) {
        List<String> modules = List.copyOf(deltas.getFirst().keySet());
        for (int i = 1; i < deltas.size(); i++) {
            if (!deltas.get(i).keySet().equals(deltas.getFirst().keySet())) {
                java.util.Set<String> differ = new java.util.TreeSet<>(deltas.get(i).keySet());
                differ.removeAll(deltas.getFirst().keySet());
                java.util.Set<String> missing = new java.util.TreeSet<>(deltas.getFirst().keySet());
                missing.removeAll(deltas.get(i).keySet());
                String example = !missing.isEmpty() ? "lacks " + missing.iterator().next()
                        : "adds " + differ.iterator().next();
                throw new InputException(adapters.get(i).toString(), "adapts other modules than " + adapters.getFirst()
                        + " (it " + example + "): learned merging needs the same modules in every adapter");
            }
        }
        return modules;
    }
}
