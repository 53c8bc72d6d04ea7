package amalgam.engine.models;

import amalgam.engine.InputException;
import amalgam.engine.hub.Checkpoint;
import amalgam.engine.models.llama.LlamaForCausalLM;
import amalgam.engine.models.llama.Variant;
import amalgam.engine.models.vit.ViTForImageClassification;
import amalgam.engine.models.vit.ViTModuleNames;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.UnaryOperator;

/**
 * The architectures the engine loads, by config.json's {@code architectures} name (or {@code model_type} when
 * the config lists none). Adding one is one line in {@link #ALL}.
 */
public final class Architectures {

    /**
     * One loadable architecture: its config names, how to build it from an opened checkpoint, and where a PEFT
     * adapter's module names land in its checkpoint ({@link LoadedModel#modulePath}, known without loading).
     */
    public record Architecture(String name, String modelType, BiFunction<Checkpoint, String, LoadedModel> loader,
                               UnaryOperator<String> checkpointModule) {}

    private static final List<Architecture> ALL = List.of(
            new Architecture("LlamaForCausalLM", "llama", (c, name) -> LlamaForCausalLM.load(c, name, Variant.LLAMA),
                    UnaryOperator.identity()),
            new Architecture("MistralForCausalLM", "mistral", (c, name) -> LlamaForCausalLM.load(c, name, Variant.MISTRAL),
                    UnaryOperator.identity()),
            new Architecture("Qwen2ForCausalLM", "qwen2", (c, name) -> LlamaForCausalLM.load(c, name, Variant.QWEN2),
                    UnaryOperator.identity()),
            new Architecture("ViTForImageClassification", "vit", (c, name) -> ViTForImageClassification.load(c),
                    ViTModuleNames::checkpointName));

    private Architectures() {}

    public static List<String> supported() {
        return ALL.stream().map(Architecture::name).toList();
    }

    /** The model saved in {@code directory} (weights converted to fp32; the files are closed after). */
    public static LoadedModel load(Path directory) {
        try (Checkpoint checkpoint = Checkpoint.open(directory)) {
            Architecture a = find(checkpoint).orElseThrow(() -> new InputException(
                    directory.resolve(Checkpoint.CONFIG).toString(), "unsupported architecture "
                    + InputException.quote(checkpoint.architecture()) + " (supported: "
                    + String.join(", ", supported()) + ")"));
            return a.loader().apply(checkpoint, a.name());
        }
    }

    /**
     * The checkpoint's name of the module a PEFT adapter calls {@code adapterModule} (without
     * {@code base_model.model.}): what {@link LoadedModel#modulePath} gives once loaded. Architectures the engine
     * does not load keep the adapter's name, which is the checkpoint's in transformers' usual layout.
     */
    public static String checkpointModule(Checkpoint checkpoint, String adapterModule) {
        return find(checkpoint).map(a -> a.checkpointModule().apply(adapterModule)).orElse(adapterModule);
    }

    /** The architecture config.json names ({@code architectures}, or {@code model_type} when it lists none). */
    private static Optional<Architecture> find(Checkpoint checkpoint) {
        List<String> names = checkpoint.config().strings("architectures");
        String wanted = names.isEmpty() ? checkpoint.architecture() : names.getFirst();
        return ALL.stream().filter(a -> a.name().equals(wanted) || names.isEmpty() && a.modelType().equals(wanted))
                .findFirst();
    }

    /** {@link #load} for callers that need a language model; anything else is refused by name. */
    public static CausalLanguageModel loadCausalLanguageModel(Path directory) {
        LoadedModel model = load(directory);
        if (model instanceof CausalLanguageModel lm) return lm;
        throw new InputException(directory.resolve(Checkpoint.CONFIG).toString(), "architecture "
                + InputException.quote(model.architecture()) + " is not a causal language model");
    }
}
