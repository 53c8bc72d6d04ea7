package amalgam.engine.models;

import amalgam.engine.InputException;
import amalgam.engine.hub.Checkpoint;
import amalgam.engine.models.llama.LlamaForCausalLM;
import amalgam.engine.models.llama.Variant;
import amalgam.engine.models.vit.ViTForImageClassification;

import java.nio.file.Path;
import java.util.List;
import java.util.function.BiFunction;

/**
 * The architectures the engine loads, by config.json's {@code architectures} name (or {@code model_type} when
 * the config lists none). Adding one is one line in {@link #ALL}.
 */
public final class Architectures {

    /** One loadable architecture: its config names and how to build it from an opened checkpoint. */
    public record Architecture(String name, String modelType, BiFunction<Checkpoint, String, LoadedModel> loader) {}

    private static final List<Architecture> ALL = List.of(
            new Architecture("LlamaForCausalLM", "llama", (c, name) -> LlamaForCausalLM.load(c, name, Variant.LLAMA)),
            new Architecture("MistralForCausalLM", "mistral", (c, name) -> LlamaForCausalLM.load(c, name, Variant.MISTRAL)),
            new Architecture("Qwen2ForCausalLM", "qwen2", (c, name) -> LlamaForCausalLM.load(c, name, Variant.QWEN2)),
            new Architecture("ViTForImageClassification", "vit", (c, name) -> ViTForImageClassification.load(c)));

    private Architectures() {}

    public static List<String> supported() {
        return ALL.stream().map(Architecture::name).toList();
    }

    /** The model saved in {@code directory} (weights converted to fp32; the files are closed after). */
    public static LoadedModel load(Path directory) {
        try (Checkpoint checkpoint = Checkpoint.open(directory)) {
            List<String> names = checkpoint.config().strings("architectures");
            String wanted = names.isEmpty() ? checkpoint.architecture() : names.getFirst();
            for (Architecture a : ALL) {
                if (a.name().equals(wanted) || names.isEmpty() && a.modelType().equals(wanted)) {
                    return a.loader().apply(checkpoint, a.name());
                }
            }
            throw new InputException(directory.resolve(Checkpoint.CONFIG).toString(), "unsupported architecture "
                    + InputException.quote(wanted) + " (supported: " + String.join(", ", supported()) + ")");
        }
    }

    /** {@link #load} for callers that need a language model; anything else is refused by name. */
    public static CausalLanguageModel loadCausalLanguageModel(Path directory) {
        LoadedModel model = load(directory);
        if (model instanceof CausalLanguageModel lm) return lm;
        throw new InputException(directory.resolve(Checkpoint.CONFIG).toString(), "architecture "
                + InputException.quote(model.architecture()) + " is not a causal language model");
    }
}
