package amalgam.merge.pipeline;

import static amalgam.engine.InputException.quote;

import amalgam.engine.InputException;
import amalgam.engine.hub.Checkpoint;
import amalgam.engine.io.FileDType;
import amalgam.engine.io.SafetensorsFile;
import amalgam.engine.io.SafetensorsWriter;
import amalgam.engine.io.TensorInfo;
import amalgam.kernels.FloatSegments;
import amalgam.kernels.Gemm;
import amalgam.merge.adapter.LoraModule;
import amalgam.merge.algorithms.DenseMatrix;
import amalgam.merge.algorithms.LowRankUpdate;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A merge written as a whole model, what PEFT's {@code merge_and_unload} gives: the base's weights files with the
 * same names, tensors, types and metadata (plus the recipe's), each adapted weight W replaced by W + B·A, summed
 * in fp32 and rounded once to W's own type (to nearest even, as torch rounds); every other tensor copied byte for
 * byte. A sharded base gives the same shards and a rewritten index; the other files are copied
 * ({@link BaseModelFiles}). One weight is in memory at a time.
 */
final class FullModelOutput implements MergeOutput {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path directory;
    private final Checkpoint base;
    private final Map<String, FoldTarget> targets;
    private final Map<SafetensorsFile, SafetensorsWriter> writers;
    private final BaseModelFiles otherFiles;
    private final Gemm gemm;
    private final boolean allowNonFinite;
    private final Set<String> folded = new HashSet<>();

    private FullModelOutput(Path directory, Checkpoint base, Map<String, FoldTarget> targets,
                            Map<SafetensorsFile, SafetensorsWriter> writers, BaseModelFiles otherFiles, Gemm gemm,
                            boolean allowNonFinite) {
        this.directory = directory;
        this.base = base;
        this.targets = targets;
        this.writers = writers;
        this.otherFiles = otherFiles;
        this.gemm = gemm;
        this.allowNonFinite = allowNonFinite;
    }

    /** Starts every weights file of {@code base} in {@code directory}, with {@code metadata} added to each header. */
    static FullModelOutput create(Path directory, Checkpoint base, Map<String, FoldTarget> targets,
                                  BaseModelFiles otherFiles, Map<String, String> metadata, Gemm gemm,
                                  boolean allowNonFinite) throws IOException {
        Map<SafetensorsFile, SafetensorsWriter> writers = new LinkedHashMap<>();
        try {
            for (SafetensorsFile file : base.files()) {
                List<SafetensorsWriter.Spec> specs = new ArrayList<>();
                for (TensorInfo t : file.tensors()) specs.add(new SafetensorsWriter.Spec(t.name(), t.shape(), t.dtype()));
                // The base's own entries ({"format": "pt"}, which transformers requires) come first and stay.
                Map<String, String> header = new LinkedHashMap<>(file.metadata());
                header.putAll(metadata);
                writers.put(file, SafetensorsWriter.create(directory.resolve(file.path().getFileName()), specs, header));
            }
        } catch (IOException | RuntimeException e) {
            closeAll(writers.values(), e);
            throw e;
        }
        return new FullModelOutput(directory, base, targets, writers, otherFiles, gemm, allowNonFinite);
    }

    @Override
    public void write(LoraModule module, LowRankUpdate update) throws IOException {
        FoldTarget target = targets.get(module.name());
        if (target == null) throw new IllegalArgumentException("module was not resolved: " + module.name());
        // Shared, not confined: a multi-threaded GEMM reads the weight from worker threads.
        try (Arena arena = Arena.ofShared()) {
            MemorySegment weight = target.file().load(target.info(), arena);
            update.addTo(gemm, new DenseMatrix(target.rows(), target.cols(), weight), target.transposed());
            requireFits(target, weight);
            writers.get(target.file()).write(target.tensor(), weight);
        }
        folded.add(target.tensor());
    }

    /**
     * The folded weight must fit its type: W + ΔW beyond f16's ±65504 would be written as infinities. With
     * {@code allowNonFinite} (inputs that held NaN or ∞ on purpose) only finite values are held to the range.
     */
    private void requireFits(FoldTarget target, MemorySegment weight) {
        FileDType dtype = target.info().dtype();
        double limit = dtype.maxFinite();
        for (long i = 0, n = target.info().elementCount(); i < n; i++) {
            float v = FloatSegments.get(weight, i);
            if (!(Math.abs(v) <= limit) && !(allowNonFinite && !Float.isFinite(v))) {
                throw new InputException("module " + quote(target.module()), Float.isFinite(v)
                        ? String.format(Locale.ROOT, "folded into %s it gives %.6g, beyond %s's range (±%.6g)",
                                quote(target.tensor()), v, dtype.name().toLowerCase(Locale.ROOT), limit)
                        : "folded into " + quote(target.tensor()) + " it gives " + v + " (pass --allow-nonfinite "
                                + "to write it anyway)");
            }
        }
    }

    @Override
    public void finish() throws IOException {
        for (Map.Entry<SafetensorsFile, SafetensorsWriter> e : writers.entrySet()) {
            SafetensorsFile file = e.getKey();
            for (TensorInfo t : file.tensors()) {
                if (!folded.contains(t.name())) e.getValue().copy(t.name(), file.rawBytes(t));
            }
        }
        List<SafetensorsWriter> open = List.copyOf(writers.values());
        writers.clear();
        closeAll(open, null);
        if (base.sharded()) writeIndex();
        otherFiles.copyInto(directory);
    }

    /**
     * The base's index with its weight map and total size recomputed from the files written (the same, since
     * every tensor keeps its shard and type) and its other metadata (total_parameters) kept.
     */
    private void writeIndex() throws IOException {
        ObjectNode index = (ObjectNode) JSON.readTree(base.directory().resolve(Checkpoint.INDEX).toFile());
        Map<String, String> weightMap = new TreeMap<>();
        long totalSize = 0;
        for (SafetensorsFile file : base.files()) {
            for (TensorInfo t : file.tensors()) {
                weightMap.put(t.name(), file.path().getFileName().toString());
                totalSize += t.byteSize();
            }
        }
        ObjectNode out = JSON.createObjectNode();
        ObjectNode metadata = index.get("metadata") instanceof ObjectNode m ? m.deepCopy() : JSON.createObjectNode();
        metadata.put("total_size", totalSize);
        out.set("metadata", metadata);
        ObjectNode map = out.putObject("weight_map");
        weightMap.forEach(map::put);
        JSON.writeValue(directory.resolve(Checkpoint.INDEX).toFile(), out);
    }

    @Override
    public void close() throws IOException {
        List<SafetensorsWriter> open = List.copyOf(writers.values());
        writers.clear();
        closeAll(open, null);
    }

    /**
     * Closes every writer even when one fails; the first failure is thrown, or added to {@code pending} (a failure
     * already on its way out, which a writer complaining of unwritten tensors must not hide).
     */
    private static void closeAll(Iterable<SafetensorsWriter> writers, Throwable pending) throws IOException {
        Throwable first = null;
        for (SafetensorsWriter w : writers) {
            try {
                w.close();
            } catch (IOException | RuntimeException e) {
                if (pending != null) pending.addSuppressed(e);
                else if (first == null) first = e;
                else first.addSuppressed(e);
            }
        }
        if (first instanceof IOException io) throw io;
        if (first instanceof RuntimeException r) throw r;
    }
}
