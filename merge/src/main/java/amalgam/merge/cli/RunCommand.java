package amalgam.merge.cli;

import amalgam.engine.Engine;
import amalgam.engine.InputException;
import amalgam.engine.NoGrad;
import amalgam.engine.Step;
import amalgam.engine.Tensor;
import amalgam.engine.models.Architectures;
import amalgam.engine.models.CausalLanguageModel;
import amalgam.engine.models.Generation;
import amalgam.engine.models.LoadedModel;
import amalgam.engine.models.Sampler;
import amalgam.engine.nn.Linear;
import amalgam.engine.nn.Module;
import amalgam.engine.tokenize.Tokenizer;
import amalgam.merge.adapter.AdapterAttachment;
import amalgam.merge.adapter.LoraAdapter;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code amalgam run}: a Hugging Face model directory, optionally with PEFT LoRA adapters, on a text prompt
 * (generation with a KV cache) or an image (classification). Parses, loads, calls the engine, prints.
 */
@Command(name = "run",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        sortOptions = false,
        description = {"Run a Hugging Face model (LlamaForCausalLM, MistralForCausalLM, Qwen2ForCausalLM, "
                + "ViTForImageClassification) with PEFT LoRA adapters attached.",
                "",
                "Text: greedy generation by default (--temperature and --top-p sample), printed as it is produced. "
                        + "Image: the top labels of id2label with their probabilities.",
                "",
                "Examples (M=fixtures/hf/llama-f32, a tiny model of the test fixtures):",
                "  amalgam run --model $M --text 'The licence' --max-new-tokens 16",
                "  amalgam run --model $M --adapter $M/adapters/lora_qv --text 'Hi' --json",
                "  amalgam run --model fixtures/hf/vit-f32 --image fixtures/hf/vit-f32/rgb.png"})
public final class RunCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR", order = 1,
            description = "A model directory as save_pretrained writes it: config.json, model.safetensors (or shards "
                    + "with model.safetensors.index.json), and tokenizer.json or preprocessor_config.json.")
    Path model;

    @Option(names = "--adapter", paramLabel = "DIR", order = 2,
            description = "A PEFT LoRA adapter directory to apply, unmerged; repeat for several at once (their "
                    + "updates add, as PEFT's active adapters do).")
    List<Path> adapters = new ArrayList<>();

    @Option(names = "--merged", order = 3,
            description = "Fold the adapters into the base weights before running (W + s·B·A), as merge_and_unload "
                    + "does: the same outputs at the plain model's cost per token.")
    boolean merged;

    static final class Input {
        @Option(names = "--text", paramLabel = "TEXT", required = true,
                description = "A prompt for a language model, tokenized with the model's tokenizer.json (special "
                        + "tokens as its post-processor adds them).")
        String text;

        @Option(names = "--image", paramLabel = "FILE", required = true,
                description = "A PNG or JPEG image for an image classifier, prepared as preprocessor_config.json says.")
        Path image;
    }

    @ArgGroup(exclusive = true, multiplicity = "1", order = 4)
    Input input;

    @Option(names = "--max-new-tokens", paramLabel = "N", order = 5,
            description = "Tokens to generate at most (stops earlier at an end-of-sequence token). Default: "
                    + "${DEFAULT-VALUE}.")
    int maxNewTokens = 32;

    @Option(names = "--temperature", paramLabel = "T", order = 6,
            description = "0 picks the most likely token (greedy, the default); above 0 samples from softmax(logits/T).")
    double temperature = 0;

    @Option(names = "--top-p", paramLabel = "P", order = 7,
            description = "With --temperature: sample from the smallest set of tokens whose probability reaches P "
                    + "(nucleus sampling). Default: ${DEFAULT-VALUE}.")
    double topP = 1;

    @Option(names = "--seed", paramLabel = "S", order = 8, description = "Seed of the sampler. Default: ${DEFAULT-VALUE}.")
    long seed = 0;

    @Option(names = "--top", paramLabel = "K", order = 9,
            description = "Image: how many labels to print. Default: ${DEFAULT-VALUE}.")
    int top = 5;

    @Option(names = "--json", order = 10,
            description = "Print one JSON object instead: for text {input_ids, last_logits (full vocabulary, at the "
                    + "last prompt position), generated_ids, generated}; for an image {logits, label, top}.")
    boolean json;

    @Mixin
    ComputeOptions compute = new ComputeOptions();

    @Override
    public Integer call() throws Exception {
        validate();
        try (ComputeScope _ = compute.open()) {
            LoadedModel loaded = Architectures.load(model);
            attachAdapters(loaded);
            if (input.text != null) runText(loaded);
            else ImageRun.run(loaded, model, input.image, top, json, spec.commandLine().getOut());
        }
        return 0;
    }

    private void validate() {
        if (maxNewTokens < 0) throw new InputException("--max-new-tokens", "must be at least 0, got " + maxNewTokens);
        if (!(temperature >= 0) || Double.isInfinite(temperature)) {
            throw new InputException("--temperature", "must be a finite number ≥ 0, got " + temperature);
        }
        if (!(topP > 0 && topP <= 1)) throw new InputException("--top-p", "must be in (0, 1], got " + topP);
        if (top < 1) throw new InputException("--top", "must be at least 1, got " + top);
        if (merged && adapters.isEmpty()) throw new InputException("--merged", "needs at least one --adapter");
    }

    private void attachAdapters(LoadedModel loaded) {
        Set<String> names = new HashSet<>();
        for (Path dir : adapters) {
            // Adapter names only keep several adapters apart inside a layer; the folder name reads best in errors.
            String base = dir.toAbsolutePath().normalize().getFileName().toString();
            String name = base;
            for (int i = 2; !names.add(name); i++) name = base + "#" + i;
            try (LoraAdapter adapter = LoraAdapter.open(dir)) {
                AdapterAttachment.attach(loaded, adapter, name);
            }
        }
        if (merged) {
            for (Module m : loaded.module().namedModules().values()) {
                if (m instanceof Linear linear && !linear.adapters().isEmpty()) linear.merge();
            }
        }
    }

    private void runText(LoadedModel loaded) throws Exception {
        if (!(loaded instanceof CausalLanguageModel lm)) {
            throw new InputException("--text", model + " holds a " + loaded.architecture()
                    + ", not a language model: give it --image");
        }
        Path tokenizerFile = model.resolve("tokenizer.json");
        if (!Files.exists(tokenizerFile)) {
            throw new InputException(tokenizerFile.toString(), "no such file: a language model needs its tokenizer");
        }
        Tokenizer tokenizer = Tokenizer.load(tokenizerFile);
        int[] ids = tokenizer.encode(input.text);
        if (ids.length == 0) throw new InputException("--text", "the prompt encodes to no tokens");
        PrintWriter out = spec.commandLine().getOut();
        Sampler sampler = temperature == 0 ? Sampler.greedy() : Sampler.sampling(temperature, topP, seed);
        float[][] lastLogits = new float[1][];
        StreamedText stream = new StreamedText(tokenizer, json ? null : out);
        int[] generated = maxNewTokens == 0 ? new int[0]
                : Generation.generate(lm, new int[][] {ids}, maxNewTokens, sampler, (step, logits, tokens) -> {
                    if (step == 0) lastLogits[0] = logits[0];
                    stream.add(tokens[0]);
                })[0];
        if (maxNewTokens == 0) lastLogits[0] = promptLogits(lm, ids);
        if (!json) {
            stream.finish();
            return;
        }
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode result = mapper.createObjectNode();
        result.set("input_ids", mapper.valueToTree(ids));
        result.set("last_logits", mapper.valueToTree(lastLogits[0]));
        result.set("generated_ids", mapper.valueToTree(generated));
        result.put("generated", tokenizer.decode(generated, true));
        out.println(mapper.writeValueAsString(result));
        out.flush();
    }

    /** The logits at the last prompt position, when no token is generated. */
    private static float[] promptLogits(CausalLanguageModel lm, int[] ids) {
        try (NoGrad _ = Engine.noGrad(); Step _ = Engine.step()) {
            Tensor logits = lm.logits(new int[][] {ids});
            int tokens = logits.dim(1), vocab = logits.dim(2);
            float[] all = logits.toFloatArray();
            return Arrays.copyOfRange(all, (tokens - 1) * vocab, tokens * vocab);
        }
    }

    /**
     * Prints generated text as it comes: each step decodes everything so far and prints what was added, so a
     * character split over several byte-level tokens appears once it is complete.
     */
    private static final class StreamedText {
        private final Tokenizer tokenizer;
        private final PrintWriter out;
        private final List<Integer> ids = new ArrayList<>();
        private String printed = "";

        StreamedText(Tokenizer tokenizer, PrintWriter out) {
            this.tokenizer = tokenizer;
            this.out = out;
        }

        void add(int token) {
            ids.add(token);
            if (out == null) return;
            String text = tokenizer.decode(ids.stream().mapToInt(Integer::intValue).toArray(), true);
            // A trailing U+FFFD is an incomplete character whose remaining bytes are still to come.
            String stable = text.endsWith("\uFFFD") ? text.substring(0, text.length() - 1) : text;
            if (stable.startsWith(printed)) {
                out.print(stable.substring(printed.length()));
                printed = stable;
                out.flush();
            }
        }

        void finish() {
            if (out == null) return;
            String text = tokenizer.decode(ids.stream().mapToInt(Integer::intValue).toArray(), true);
            if (text.startsWith(printed)) out.print(text.substring(printed.length()));
            out.println();
            out.flush();
        }
    }
}
