package amalgam.merge.adapter;

import static amalgam.engine.InputException.quote;

import amalgam.engine.DType;
import amalgam.engine.InputException;
import amalgam.engine.Tensor;
import amalgam.engine.models.LoadedModel;

import java.lang.foreign.Arena;

/**
 * Puts a PEFT LoRA adapter on a loaded model, unmerged: each module the adapter names gets its factors and
 * scaling (rsLoRA and rank/alpha patterns as {@link AdapterConfig} resolves them) on the model's linear layer
 * of that name. Several adapters may be attached under different names; their updates add, as PEFT's do when
 * several are active.
 */
public final class AdapterAttachment {

    private AdapterAttachment() {}

    /** Attaches every module of {@code adapter} under {@code name}; returns how many modules it adapts. */
    public static int attach(LoadedModel model, LoraAdapter adapter, String name) {
        if (adapter.config().fanInFanOut()) {
            throw new InputException(adapter.directory() + "/" + AdapterConfig.FILE_NAME, "fan_in_fan_out adapters "
                    + "(GPT-2's Conv1D layers) are not supported at run time");
        }
        for (LoraModule m : adapter.modules()) {
            if (m.kind() != LoraModule.Kind.LINEAR) {
                throw new InputException(adapter.directory() + ": module " + quote(m.name()), "is an embedding LoRA; "
                        + "only LoRAs of linear layers run on a model here");
            }
            // One automatic arena per factor: the factors live as long as the model that holds them.
            Tensor a = Tensor.wrap(DType.F32, adapter.loadA(m, Arena.ofAuto()), m.rank(), (int) m.inFeatures());
            Tensor b = Tensor.wrap(DType.F32, adapter.loadB(m, Arena.ofAuto()), (int) m.outFeatures(), m.rank());
            model.module().attachLora(model.modulePath(m.name()), name, a, b, m.scaling());
        }
        return adapter.modules().size();
    }
}
