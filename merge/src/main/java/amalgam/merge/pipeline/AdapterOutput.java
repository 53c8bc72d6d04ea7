package amalgam.merge.pipeline;

import amalgam.engine.io.FileDType;
import amalgam.merge.adapter.LoraAdapterWriter;
import amalgam.merge.adapter.LoraModule;
import amalgam.merge.algorithms.LowRankUpdate;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** A merge written as a PEFT adapter: the merged factors stored as {@code dtype}, which they must fit. */
final class AdapterOutput implements MergeOutput {

    private final LoraAdapterWriter writer;
    private final FileDType dtype;
    private final boolean allowNonFinite;

    private AdapterOutput(LoraAdapterWriter writer, FileDType dtype, boolean allowNonFinite) {
        this.writer = writer;
        this.dtype = dtype;
        this.allowNonFinite = allowNonFinite;
    }

    static AdapterOutput create(Path directory, MergeInputs inputs, List<LoraModule> outputs, FileDType dtype,
                                MergeRecipe recipe, boolean allowNonFinite) throws IOException {
        return new AdapterOutput(LoraAdapterWriter.create(directory, inputs.adapters().getFirst().config(), outputs,
                dtype, recipe.safetensorsMetadata(), inputs.saved()), dtype, allowNonFinite);
    }

    @Override
    public void write(LoraModule module, LowRankUpdate update) throws IOException {
        MergedRange.requireFits(module.name(), update, dtype, allowNonFinite);
        writer.write(module.name(), update.a().data(), update.b().data());
    }

    @Override
    public void finish() throws IOException {
        writer.finish();
    }

    @Override
    public void close() throws IOException {
        writer.close();
    }
}
