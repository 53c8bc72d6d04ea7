package amalgam.merge.adapter;

import amalgam.engine.io.AtomicOutput;
import amalgam.engine.io.FileDType;
import amalgam.engine.io.SafetensorsWriter;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes a merged adapter as PEFT loads it: {@code adapter_model.safetensors} with the factors of every module
 * (written one module at a time, in any order) and the tensors it carries unchanged ({@link SavedTensors}), and an {@code adapter_config.json} derived from a template config
 * by {@link AdapterConfig#mergedJson}, so that PEFT applies each module with scaling 1 — the merge has already
 * folded every scaling into the factors.
 *
 * <p>Write into an {@link AtomicOutput}'s directory so that a failure leaves nothing behind:
 * <pre>{@code
 * try (AtomicOutput out = AtomicOutput.begin(target, force);
 *      LoraAdapterWriter writer = LoraAdapterWriter.create(out.directory(), template, modules, FileDType.BF16)) {
 *     for (module : modules) writer.write(module.name(), a, b);
 *     writer.finish();
 *     out.commit();
 * }
 * }</pre>
 */
public final class LoraAdapterWriter implements AutoCloseable {

    private final Path directory;
    private final AdapterConfig template;
    private final Map<String, LoraModule> modules;
    private final SavedTensors saved;
    private final SafetensorsWriter weights;
    private boolean finished;

    private LoraAdapterWriter(Path directory, AdapterConfig template, Map<String, LoraModule> modules,
                              SavedTensors saved, SafetensorsWriter weights) {
        this.directory = directory;
        this.template = template;
        this.modules = modules;
        this.saved = saved;
        this.weights = weights;
    }

    /**
     * Starts an adapter in {@code directory} with the given modules (their ranks and shapes; scalings are ignored,
     * the output's are 1), storing factors as {@code dtype} (F32, F16 or BF16).
     */
    public static LoraAdapterWriter create(Path directory, AdapterConfig template, List<LoraModule> modules,
                                           FileDType dtype) throws IOException {
        return create(directory, template, modules, dtype, Map.of(), SavedTensors.NONE);
    }

    /**
     * The same, with {@code metadata} added to the safetensors header's {@code __metadata__} (string values, as
     * the format requires: how the adapter was made) and {@code saved}, the inputs' non-LoRA tensors, copied
     * unchanged by {@link #finish}.
     */
    public static LoraAdapterWriter create(Path directory, AdapterConfig template, List<LoraModule> modules,
                                           FileDType dtype, Map<String, String> metadata, SavedTensors saved)
            throws IOException {
        if (!dtype.writable()) throw new IllegalArgumentException("cannot write adapters as " + dtype);
        Map<String, LoraModule> byName = new TreeMap<>();
        List<SafetensorsWriter.Spec> specs = new ArrayList<>();
        for (LoraModule m : modules) {
            if (byName.put(m.name(), m) != null) throw new IllegalArgumentException("module twice: " + m.name());
            specs.add(new SafetensorsWriter.Spec(m.aKey(), m.aShape(), dtype));
            specs.add(new SafetensorsWriter.Spec(m.bKey(), m.bShape(), dtype));
        }
        for (SavedTensors.Saved s : saved.tensors()) {
            specs.add(new SafetensorsWriter.Spec(s.tensor().name(), s.tensor().shape(), s.tensor().dtype()));
        }
        // transformers refuses safetensors files whose metadata lacks a known format; PEFT itself writes "pt".
        Map<String, String> header = new LinkedHashMap<>();
        header.put("format", "pt");
        header.putAll(metadata);
        SafetensorsWriter weights = SafetensorsWriter.create(directory.resolve(LoraAdapter.WEIGHTS_FILE), specs, header);
        return new LoraAdapterWriter(directory, template, byName, saved, weights);
    }

    /** Writes one module's factors: A rank×in and B out×rank, fp32 row-major. */
    public void write(String module, MemorySegment a, MemorySegment b) throws IOException {
        LoraModule m = modules.get(module);
        if (m == null) throw new IllegalArgumentException("module was not declared: " + module);
        weights.write(m.aKey(), a);
        weights.write(m.bKey(), b);
    }

    /** Completes the weights file (every module must have been written) and writes the config. */
    public void finish() throws IOException {
        for (SavedTensors.Saved s : saved.tensors()) weights.copy(s.tensor().name(), s.source().rawBytes(s.tensor()));
        weights.close();
        Map<String, Integer> ranks = new TreeMap<>();
        modules.forEach((name, m) -> ranks.put(name, m.rank()));
        AdapterConfig.write(saved.applyTo(template.mergedJson(ranks)), directory.resolve(AdapterConfig.FILE_NAME));
        finished = true;
    }

    /** Releases the weights file; after a failure, the caller's {@link AtomicOutput} discards the directory. */
    @Override
    public void close() throws IOException {
        if (!finished) weights.close();
    }
}
