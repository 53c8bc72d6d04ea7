package amalgam.engine.hub;

import static amalgam.engine.InputException.quote;

import amalgam.engine.DType;
import amalgam.engine.InputException;
import amalgam.engine.Tensor;
import amalgam.engine.io.MissingPath;
import amalgam.engine.io.SafetensorsFile;
import amalgam.engine.io.TensorInfo;
import amalgam.kernels.FloatSegments;
import com.fasterxml.jackson.databind.JsonNode;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A model directory as transformers' {@code save_pretrained} writes it: {@code config.json} and the weights in
 * {@code model.safetensors} or in shards named by {@code model.safetensors.index.json}. The files stay
 * memory-mapped; {@link #load} converts one tensor at a time to fp32 (F32, F16 and BF16 files alike), checking
 * its shape against what the model's config implies.
 */
public final class Checkpoint implements TensorSource, AutoCloseable {

    public static final String CONFIG = "config.json";
    public static final String WEIGHTS = "model.safetensors";
    public static final String INDEX = "model.safetensors.index.json";

    private final Path directory;
    private final JsonConfig config;
    private final List<SafetensorsFile> files;
    private final Map<String, SafetensorsFile> fileByTensor;

    private Checkpoint(Path directory, JsonConfig config, List<SafetensorsFile> files,
            Map<String, SafetensorsFile> fileByTensor) {
        this.directory = directory;
        this.config = config;
        this.files = files;
        this.fileByTensor = fileByTensor;
    }

    /** Opens {@code directory}; every problem with it is an {@link InputException} naming the file at fault. */
    public static Checkpoint open(Path directory) {
        if (!Files.isDirectory(directory)) {
            throw new InputException(directory.toString(), Files.exists(directory)
                    ? "is not a directory (expected a model directory with config.json)"
                    : MissingPath.describe(directory, "model directory"));
        }
        JsonConfig config = JsonConfig.read(directory.resolve(CONFIG));
        List<SafetensorsFile> files = new ArrayList<>();
        Map<String, SafetensorsFile> byTensor = new LinkedHashMap<>();
        try {
            if (Files.exists(directory.resolve(INDEX))) {
                openShards(directory, files, byTensor);
            } else if (Files.exists(directory.resolve(WEIGHTS))) {
                SafetensorsFile file = SafetensorsFile.open(directory.resolve(WEIGHTS));
                files.add(file);
                for (TensorInfo t : file.tensors()) byTensor.put(t.name(), file);
            } else {
                throw new InputException(directory.toString(), "no " + WEIGHTS + " or " + INDEX
                        + (Files.exists(directory.resolve("pytorch_model.bin"))
                                ? " (pytorch_model.bin is not read: save the model with safe_serialization)" : ""));
            }
        } catch (RuntimeException e) {
            files.forEach(SafetensorsFile::close);
            throw e;
        }
        return new Checkpoint(directory, config, List.copyOf(files), Collections.unmodifiableMap(byTensor));
    }

    private static void openShards(Path directory, List<SafetensorsFile> files, Map<String, SafetensorsFile> byTensor) {
        Path indexPath = directory.resolve(INDEX);
        JsonConfig index = JsonConfig.read(indexPath);
        JsonNode weightMap = index.object("weight_map").orElseThrow(() -> index.error("weight_map", "missing")).node();
        Map<String, SafetensorsFile> shards = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : weightMap.properties()) {
            if (!entry.getValue().isTextual()) {
                throw index.error("weight_map", "the shard of tensor " + quote(entry.getKey()) + " is not a file name");
            }
            String shardName = entry.getValue().textValue();
            Path shardPath = directory.resolve(shardName).normalize();
            if (!shardPath.getParent().equals(directory.normalize())) {
                throw index.error("weight_map", "shard " + quote(shardName) + " is not a file of the model directory");
            }
            SafetensorsFile shard = shards.get(shardName);
            if (shard == null) {
                shard = SafetensorsFile.open(shardPath);
                shards.put(shardName, shard);
                files.add(shard);
            }
            if (shard.tensor(entry.getKey()).isEmpty()) {
                throw new InputException(shardPath + ": tensor " + quote(entry.getKey()), "not found, though "
                        + INDEX + " places it there");
            }
            byTensor.put(entry.getKey(), shard);
        }
    }

    public Path directory() {
        return directory;
    }

    public JsonConfig config() {
        return config;
    }

    /** The first of config.json's {@code architectures}, or its {@code model_type} when it lists none. */
    public String architecture() {
        List<String> architectures = config.strings("architectures");
        if (!architectures.isEmpty()) return architectures.getFirst();
        return config.optionalString("model_type").orElseThrow(() -> config.error("architectures",
                "missing, and no model_type either: cannot tell which model this is"));
    }

    /** Whether the weights are shards named by {@value #INDEX} rather than one {@value #WEIGHTS}. */
    public boolean sharded() {
        return Files.exists(directory.resolve(INDEX));
    }

    /** The weights files: {@value #WEIGHTS}, or the shards in the order the index first names them. */
    public List<SafetensorsFile> files() {
        return files;
    }

    /** The file that holds tensor {@code name}, as the index places it. */
    public Optional<SafetensorsFile> file(String name) {
        return Optional.ofNullable(fileByTensor.get(name));
    }

    public Set<String> tensorNames() {
        return fileByTensor.keySet();
    }

    @Override
    public boolean has(String name) {
        return fileByTensor.containsKey(name);
    }

    public Optional<TensorInfo> info(String name) {
        SafetensorsFile file = fileByTensor.get(name);
        return file == null ? Optional.empty() : file.tensor(name);
    }

    /**
     * Tensor {@code name} as a new fp32 tensor outside any step (a parameter's lifetime); its shape must be
     * {@code expectedShape}, which the caller derives from config.json.
     */
    @Override
    public Tensor load(String name, int... expectedShape) {
        SafetensorsFile file = fileByTensor.get(name);
        if (file == null) {
            throw new InputException(directory + ": tensor " + quote(name), "not found in the checkpoint");
        }
        TensorInfo info = file.tensor(name).orElseThrow();
        long[] expected = Arrays.stream(expectedShape).asLongStream().toArray();
        if (!Arrays.equals(info.shape(), expected)) {
            throw new InputException(file.path() + ": tensor " + quote(name), "has shape " + info.shapeString()
                    + " but config.json implies " + Arrays.toString(expectedShape));
        }
        // One automatic arena per tensor: its memory goes when the model that holds it does.
        MemorySegment data = FloatSegments.allocate(Arena.ofAuto(), info.elementCount());
        file.readInto(info, data, 0);
        return Tensor.wrap(DType.F32, data, expectedShape);
    }

    @Override
    public void close() {
        files.forEach(SafetensorsFile::close);
    }
}
