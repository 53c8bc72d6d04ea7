package amalgam.merge.adapter;

import static amalgam.engine.InputException.quote;

import amalgam.engine.InputException;
import amalgam.engine.io.TensorInfo;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The tensors of a merge's adapters that are not LoRA factors — {@code modules_to_save} copies (a classifier head),
 * trainable-token deltas, biases trained with {@code bias="all"} or {@code "lora_only"}, saved embedding layers —
 * and how the merged adapter carries them: each is copied unchanged from the one adapter that saved it, and the
 * config fields PEFT needs to load it ({@code modules_to_save}, {@code trainable_token_indices}, {@code bias}) are
 * united. A tensor saved by two adapters is refused, as PEFT's {@code add_weighted_adapter} refuses two adapters
 * that save the same module: two trained copies of a head have no merge that is right without knowing the task.
 */
public final class SavedTensors {

    /** One tensor to copy and the adapter it comes from. */
    public record Saved(LoraAdapter source, TensorInfo tensor) {}

    public static final SavedTensors NONE = new SavedTensors(List.of(), null, null, null);

    private final List<Saved> tensors;
    private final ArrayNode modulesToSave;
    private final JsonNode trainableTokenIndices;
    private final String bias;

    private SavedTensors(List<Saved> tensors, ArrayNode modulesToSave, JsonNode trainableTokenIndices, String bias) {
        this.tensors = tensors;
        this.modulesToSave = modulesToSave;
        this.trainableTokenIndices = trainableTokenIndices;
        this.bias = bias;
    }

    /** What {@code adapters} save besides their factors; a tensor or token layer saved twice is an error. */
    public static SavedTensors of(List<LoraAdapter> adapters) {
        List<Saved> tensors = new ArrayList<>();
        Map<String, LoraAdapter> owners = new HashMap<>();
        for (LoraAdapter adapter : adapters) {
            for (String name : adapter.extraTensors()) {
                LoraAdapter first = owners.putIfAbsent(name, adapter);
                if (first != null) {
                    throw new InputException(adapter.directory() + ": tensor " + quote(name), "is saved by "
                            + first.directory() + " too; two trained copies of a module (modules_to_save, trainable "
                            + "tokens, a bias) cannot be merged, and PEFT refuses them as well: keep it in one adapter");
                }
                tensors.add(new Saved(adapter, adapter.extraTensor(name)));
            }
        }
        return new SavedTensors(List.copyOf(tensors), modulesToSave(adapters), trainableTokenIndices(adapters),
                bias(adapters));
    }

    public List<Saved> tensors() {
        return tensors;
    }

    /** {@code config} (a merged adapter's) with the fields that make PEFT load the saved tensors. */
    public ObjectNode applyTo(ObjectNode config) {
        ObjectNode out = config.deepCopy();
        if (modulesToSave != null) out.set("modules_to_save", modulesToSave);
        if (trainableTokenIndices != null) out.set("trainable_token_indices", trainableTokenIndices);
        if (bias != null) out.put("bias", bias);
        return out;
    }

    /** Every adapter's modules_to_save, in order of first appearance; null when none has any. */
    private static ArrayNode modulesToSave(List<LoraAdapter> adapters) {
        Set<String> names = new LinkedHashSet<>();
        boolean any = false;
        for (LoraAdapter adapter : adapters) {
            JsonNode list = adapter.config().raw().get("modules_to_save");
            if (list == null || !list.isArray()) continue;
            any = true;
            list.forEach(item -> names.add(item.asText()));
        }
        if (!any) return null;
        ArrayNode out = JsonNodeFactory.instance.arrayNode();
        names.forEach(out::add);
        return out;
    }

    /**
     * The one adapter's trainable_token_indices, or the union of several adapters' per-layer maps; two adapters
     * training tokens of the same layer (or in the list form, which means the embedding layer) are refused.
     */
    private static JsonNode trainableTokenIndices(List<LoraAdapter> adapters) {
        JsonNode united = null;
        LoraAdapter unitedFrom = null;
        for (LoraAdapter adapter : adapters) {
            JsonNode value = adapter.config().raw().get("trainable_token_indices");
            if (value == null || value.isNull()) continue;
            if (united == null) {
                united = value;
                unitedFrom = adapter;
                continue;
            }
            if (!united.isObject() || !value.isObject()) throw tokensTwice(adapter, unitedFrom, "the embedding layer");
            ObjectNode both = ((ObjectNode) united).deepCopy();
            for (var entry : value.properties()) {
                if (both.has(entry.getKey())) throw tokensTwice(adapter, unitedFrom, quote(entry.getKey()));
                both.set(entry.getKey(), entry.getValue());
            }
            united = both;
        }
        return united;
    }

    private static InputException tokensTwice(LoraAdapter adapter, LoraAdapter first, String layer) {
        return new InputException(adapter.config().source(), "trainable_token_indices trains tokens of " + layer
                + ", as " + first.config().source() + " does; two trained copies of a token embedding cannot be "
                + "merged (PEFT refuses them too): keep them in one adapter");
    }

    /** The first bias setting other than "none" (biases trained with it are among the saved tensors), or null. */
    private static String bias(List<LoraAdapter> adapters) {
        for (LoraAdapter adapter : adapters) {
            JsonNode value = adapter.config().raw().get("bias");
            if (value != null && value.isTextual() && !value.textValue().equals("none")) return value.textValue();
        }
        return null;
    }
}
