package amalgam.merge.pipeline;

import static amalgam.engine.InputException.quote;

import amalgam.engine.InputException;
import amalgam.engine.hub.Checkpoint;
import amalgam.merge.adapter.AdapterConfig;
import amalgam.merge.adapter.LoraAdapter;
import amalgam.merge.adapter.LoraModule;
import amalgam.merge.adapter.SavedTensors;
import java.util.List;
import java.util.Map;

/**
 * A full-model merge checked before anything is merged: each adapter module's weight in the base
 * ({@link FoldTarget}), the base's other files ({@link BaseModelFiles}), and the refusals — tensors an adapter
 * saves besides its factors, and adapters that disagree on {@code fan_in_fan_out}.
 */
record FullModelPlan(Map<String, FoldTarget> targets, BaseModelFiles files) {

    static FullModelPlan of(Checkpoint base, MergeInputs inputs, List<LoraModule> outputs) {
        List<LoraAdapter> adapters = inputs.adapters();
        if (!inputs.saved().tensors().isEmpty()) {
            SavedTensors.Saved s = inputs.saved().tensors().getFirst();
            throw new InputException(s.source().directory() + ": tensor " + quote(s.tensor().name()), "is saved "
                    + "besides the LoRA factors (modules_to_save, trainable tokens or a bias); a full-model merge "
                    + "folds only LoRA updates: merge into an adapter instead (drop --full-model)");
        }
        boolean fanInFanOut = adapters.getFirst().config().fanInFanOut();
        for (LoraAdapter adapter : adapters) {
            if (adapter.config().fanInFanOut() != fanInFanOut) {
                throw new InputException(adapter.directory().resolve(AdapterConfig.FILE_NAME).toString(),
                        "fan_in_fan_out is " + adapter.config().fanInFanOut() + " but " + fanInFanOut + " in "
                                + adapters.getFirst().directory() + ": the adapters are for different layer types");
            }
        }
        return new FullModelPlan(FoldTarget.resolve(base, outputs, fanInFanOut), BaseModelFiles.of(base));
    }
}
