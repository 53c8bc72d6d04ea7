package amalgam.merge.pipeline;

import static amalgam.engine.InputException.quote;

import amalgam.engine.InputException;
import amalgam.engine.hub.Checkpoint;
import amalgam.engine.io.SafetensorsFile;
import amalgam.engine.io.TensorInfo;
import amalgam.engine.models.Architectures;
import amalgam.merge.adapter.LoraModule;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The base model's weight that one adapter module's update folds into: its checkpoint name (the module's, mapped as
 * the engine maps adapters onto loaded models, plus {@code .weight}), the file holding it, and whether it is stored
 * in × out — a Conv1D ({@code fan_in_fan_out}) or an Embedding table, to which PEFT adds the update transposed.
 */
record FoldTarget(String module, String tensor, SafetensorsFile file, TensorInfo info, boolean transposed) {

    /**
     * The target of every module, checked before anything is merged: present in {@code base}, of the shape the
     * update has, stored in a type the fold can write, and no two modules on one weight.
     */
    static Map<String, FoldTarget> resolve(Checkpoint base, List<LoraModule> modules, boolean fanInFanOut) {
        Map<String, FoldTarget> targets = new LinkedHashMap<>();
        Map<String, String> moduleByTensor = new LinkedHashMap<>();
        for (LoraModule m : modules) {
            String tensor = Architectures.checkpointModule(base, m.name()) + ".weight";
            // PEFT's Embedding ignores fan_in_fan_out: its table is num_embeddings × dim, the update's transpose.
            boolean transposed = m.kind() == LoraModule.Kind.EMBEDDING || fanInFanOut;
            long[] expected = transposed ? new long[] {m.inFeatures(), m.outFeatures()}
                    : new long[] {m.outFeatures(), m.inFeatures()};
            String where = base.directory() + ": tensor " + quote(tensor);
            String update = "adapter module " + quote(m.name()) + " (update " + m.outFeatures() + "×" + m.inFeatures()
                    + (transposed ? ", added transposed" : "") + ")";
            SafetensorsFile file = base.file(tensor).orElseThrow(() -> new InputException(where,
                    "not found, but " + update + " folds into it: " + (isTiedHead(base, tensor)
                            ? "the base ties lm_head to its input embeddings (tie_word_embeddings) and stores only "
                                    + "those; folding into one would change both, so it is refused"
                            : "is this the adapters' base model?")));
            TensorInfo info = file.tensor(tensor).orElseThrow();
            if (!Arrays.equals(info.shape(), expected)) {
                throw new InputException(where, "has shape " + info.shapeString() + " but " + update + " needs "
                        + Arrays.toString(expected) + ": is this the adapters' base model?");
            }
            if (!info.dtype().writable()) {
                throw new InputException(where, "is stored as " + info.dtype() + "; a full-model merge writes the "
                        + "weights it changes as F32, F16 or BF16 only");
            }
            String other = moduleByTensor.put(tensor, m.name());
            if (other != null) {
                throw new InputException(where, "is the weight of both adapter modules " + quote(other) + " and "
                        + quote(m.name()) + " (two namings of one layer); keep one of them");
            }
            targets.put(m.name(), new FoldTarget(m.name(), tensor, file, info, transposed));
        }
        return targets;
    }

    private static boolean isTiedHead(Checkpoint base, String tensor) {
        return tensor.endsWith("lm_head.weight") && base.config().flag("tie_word_embeddings", false);
    }

    /** The weight's rows and columns as the fold's matrix sees them. */
    int rows() {
        return Math.toIntExact(info.dim(0));
    }

    int cols() {
        return Math.toIntExact(info.dim(1));
    }
}
