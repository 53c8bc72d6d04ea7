package amalgam.merge.adapter;

import static amalgam.engine.InputException.quote;

import amalgam.kernels.FloatSegments;
import amalgam.engine.InputException;
import amalgam.engine.io.MissingPath;
import amalgam.engine.io.SafetensorsFile;
import amalgam.engine.io.TensorInfo;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A PEFT LoRA adapter directory ({@code adapter_model.safetensors} + {@code adapter_config.json}), opened and
 * checked for consistency: every module has both factors, 2-D, with agreeing ranks that match the config's r
 * (or its rank_pattern). The weights stay memory-mapped; {@link #loadA}/{@link #loadB} convert one module at a
 * time to fp32, refusing NaN and infinities (naming the tensor) unless the adapter was opened with
 * {@code allowNonFinite}.
 *
 * <p>Tensors that are not LoRA factors (a {@code modules_to_save} head, for instance) are listed by
 * {@link #extraTensors()}; merges copy them ({@link SavedTensors}). Thread-safe for loads; {@link #close} unmaps the file.
 */
public final class LoraAdapter implements AutoCloseable {

    public static final String WEIGHTS_FILE = "adapter_model.safetensors";

    private final Path directory;
    private final AdapterConfig config;
    private final SafetensorsFile weights;
    private final Map<String, LoraModule> modules;
    private final List<String> extraTensors;
    private final boolean allowNonFinite;

    private LoraAdapter(Path directory, AdapterConfig config, SafetensorsFile weights, Map<String, LoraModule> modules,
                        List<String> extraTensors, boolean allowNonFinite) {
        this.directory = directory;
        this.config = config;
        this.weights = weights;
        this.modules = modules;
        this.extraTensors = extraTensors;
        this.allowNonFinite = allowNonFinite;
    }

    /** Opens {@code directory}, refusing non-finite weights. */
    public static LoraAdapter open(Path directory) {
        return open(directory, false);
    }

    /** Opens and checks {@code directory}; every problem is an {@link InputException} naming the file at fault. */
    public static LoraAdapter open(Path directory, boolean allowNonFinite) {
        Path weightsPath = requireAdapterDirectory(directory);
        AdapterConfig config = AdapterConfig.read(directory.resolve(AdapterConfig.FILE_NAME));
        SafetensorsFile weights = SafetensorsFile.open(weightsPath);
        try {
            AdapterLayout layout = AdapterLayout.of(weights, config);
            return new LoraAdapter(directory, config, weights, layout.modules(), layout.extraTensors(), allowNonFinite);
        } catch (RuntimeException e) {
            weights.close();
            throw e;
        }
    }

    private static Path requireAdapterDirectory(Path directory) {
        String where = directory.toString();
        if (!Files.exists(directory)) {
            throw new InputException(where, MissingPath.describe(directory, "adapter directory"));
        }
        if (!Files.isDirectory(directory)) {
            throw new InputException(where, "is a file; pass the adapter directory that holds " + WEIGHTS_FILE
                    + " and " + AdapterConfig.FILE_NAME);
        }
        // Without these, the lookups below fail silently and the error would blame a missing file.
        if (!Files.isReadable(directory) || !Files.isExecutable(directory)) {
            throw new InputException(where, "permission denied: cannot list or enter this adapter directory");
        }
        Path weights = directory.resolve(WEIGHTS_FILE);
        if (!Files.exists(weights)) {
            if (Files.exists(directory.resolve("adapter_model.bin"))) {
                throw new InputException(where, "has only adapter_model.bin (a PyTorch pickle, which Amalgam does not "
                        + "load); re-save the adapter with safe_serialization=True");
            }
            throw new InputException(where, "no " + WEIGHTS_FILE + " in this directory");
        }
        return weights;
    }

    public Path directory() {
        return directory;
    }

    public AdapterConfig config() {
        return config;
    }

    /** The adapted modules, sorted by name. */
    public List<LoraModule> modules() {
        return List.copyOf(modules.values());
    }

    public Optional<LoraModule> module(String name) {
        return Optional.ofNullable(modules.get(name));
    }

    /** Names of tensors in the file that are not LoRA factors, sorted. */
    public List<String> extraTensors() {
        return extraTensors;
    }

    /** The header entry of one of {@link #extraTensors()}. */
    public TensorInfo extraTensor(String name) {
        return weights.tensor(name).orElseThrow(() -> new IllegalArgumentException("no tensor " + quote(name)));
    }

    /** A tensor's bytes exactly as stored, for copying it unchanged; valid until {@link #close}. */
    public MemorySegment rawBytes(TensorInfo tensor) {
        return weights.rawBytes(tensor);
    }

    /** The weights file's {@code __metadata__}. */
    public Map<String, String> metadata() {
        return weights.metadata();
    }

    /** The file's header entry for the module's lora_A (dtype, shape, offsets). */
    public TensorInfo tensorA(LoraModule module) {
        return weights.tensor(module.aKey()).orElseThrow();
    }

    public TensorInfo tensorB(LoraModule module) {
        return weights.tensor(module.bKey()).orElseThrow();
    }

    /** lora_A of {@code module} as fp32 (rank×in, row-major) in {@code arena}. */
    public MemorySegment loadA(LoraModule module, Arena arena) {
        return load(tensorA(module), arena);
    }

    /** lora_B of {@code module} as fp32 (out×rank, row-major) in {@code arena}. */
    public MemorySegment loadB(LoraModule module, Arena arena) {
        return load(tensorB(module), arena);
    }

    /**
     * Elements {@code first} to {@code first + count} (row-major) of a factor of this adapter as fp32 into
     * {@code target} from index 0, checked like {@link #loadA}: how a factor larger than memory is read in blocks.
     */
    public void readBlock(TensorInfo factor, long first, long count, MemorySegment target) {
        weights.readInto(factor, first, count, target, 0);
        if (!allowNonFinite) requireFinite(factor, target, first, count);
    }

    private MemorySegment load(TensorInfo tensor, Arena arena) {
        MemorySegment values = weights.load(tensor, arena);
        if (!allowNonFinite) requireFinite(tensor, values, 0, tensor.elementCount());
        return values;
    }

    /** Elements {@code first}… of {@code tensor}, held in {@code values} from index 0, are all finite. */
    private void requireFinite(TensorInfo tensor, MemorySegment values, long first, long count) {
        for (long i = 0; i < count; i++) {
            float v = FloatSegments.get(values, i);
            if (!Float.isFinite(v)) {
                long cols = tensor.dim(1), at = first + i;
                throw new InputException(weights.path() + ": tensor " + quote(tensor.name()),
                        "contains " + v + " at [" + at / cols + ", " + at % cols + "]; pass --allow-nonfinite to use "
                                + "it anyway");
            }
        }
    }

    @Override
    public void close() {
        weights.close();
    }
}
