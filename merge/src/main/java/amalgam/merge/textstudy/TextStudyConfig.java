package amalgam.merge.textstudy;

import amalgam.engine.models.llama.LlamaConfig;
import amalgam.engine.models.llama.RopeParameters;
import amalgam.engine.models.llama.Variant;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * Sizes of one text study. The decoder is Llama-shaped (RMSNorm, RoPE, grouped-query attention, SwiGLU, tied
 * embeddings) over bytes; the LoRAs sit on every attention projection.
 *
 * @param corpus the folder of licence texts ({@link LicenceTexts#DEBIAN})
 * @param pretrainText the text the base is pre-trained on; {@code loraTexts} one LoRA each
 * @param bufferPerText training windows of each LoRA text in the memory buffer the coefficients learn on
 * @param coefficientSteps Adam steps of the coefficients, and of the new LoRA on the buffer (the same budget)
 */
public record TextStudyConfig(Path corpus, String pretrainText, List<String> loraTexts, List<Long> seeds,
                              int hidden, int layers, int heads, int kvHeads, int intermediate, int window, int batch,
                              int pretrainSteps, double pretrainLearningRate, int rank, int loraSteps,
                              double loraLearningRate, int bufferPerText, int coefficientSteps,
                              double coefficientLearningRate, int bMax, double tiesDensity, int jointSteps) {

    private static final List<String> LORA_TEXTS = List.of("Apache-2.0", "MPL-2.0", "GFDL-1.3");

    /** The study as `amalgam text-study` runs it (about two minutes per seed on 2 cores). */
    public static TextStudyConfig standard(Path corpus, List<Long> seeds) {
        return new TextStudyConfig(corpus, "GPL-3", LORA_TEXTS, seeds, 64, 2, 4, 2, 128, 64, 16,
                3000, 1e-2, 8, 400, 5e-3, 4, 60, 0.05, 3, 0.5, 800);
    }

    /** {@code --quick}: the same at a third of the training, to try the pipeline. */
    public static TextStudyConfig quick(Path corpus, List<Long> seeds) {
        return new TextStudyConfig(corpus, "GPL-3", LORA_TEXTS, seeds, 64, 2, 4, 2, 128, 64, 16,
                600, 1e-2, 8, 100, 5e-3, 4, 30, 0.05, 3, 0.5, 200);
    }

    /** Seconds-long, for end-to-end tests (the numbers mean nothing). */
    public static TextStudyConfig tiny(Path corpus, List<Long> seeds) {
        return new TextStudyConfig(corpus, "GPL-3", LORA_TEXTS, seeds, 16, 1, 2, 1, 32, 32, 4,
                6, 3e-3, 4, 4, 3e-3, 2, 4, 0.05, 3, 0.5, 4);
    }

    /** The decoder: a byte vocabulary of 256, head dimension hidden / heads. */
    public LlamaConfig decoder() {
        int headDim = hidden / heads;
        return new LlamaConfig(Variant.LLAMA, 256, hidden, intermediate, layers, heads, kvHeads, headDim, 1e-5, true,
                false, false, false, 2 * window, new RopeParameters("default", 10000, headDim, 1, 1, 4, 2 * window),
                OptionalInt.empty(), List.of(), "the text study's decoder");
    }

    /** The LoRA targets: q, k, v and o of every layer. */
    public List<String> loraModules() {
        List<String> out = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            for (String p : List.of("q_proj", "k_proj", "v_proj", "o_proj")) out.add("model.layers." + l + ".self_attn." + p);
        }
        return out;
    }

    /** Every text, the pre-training one first: the evaluation's columns. */
    public List<String> texts() {
        List<String> out = new ArrayList<>(List.of(pretrainText));
        out.addAll(loraTexts);
        return out;
    }

    public Map<String, Object> asMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("corpus", corpus.toString() + " (Debian package base-files)");
        m.put("pretrain_text", pretrainText);
        m.put("lora_texts", loraTexts);
        m.put("seeds", seeds);
        m.put("decoder", Map.of("vocabulary", 256, "hidden", hidden, "layers", layers, "heads", heads,
                "kv_heads", kvHeads, "intermediate", intermediate));
        m.put("window", window);
        m.put("batch", batch);
        m.put("pretrain_steps", pretrainSteps);
        m.put("lora_rank", rank);
        m.put("lora_alpha", 2 * rank);
        m.put("lora_modules", loraModules());
        m.put("lora_steps", loraSteps);
        m.put("buffer_windows_per_text", bufferPerText);
        m.put("coefficient_steps", coefficientSteps);
        m.put("coefficient_lr", coefficientLearningRate);
        m.put("coefficients", "ties, sigmoid·b, b_max=" + bMax + ", learned scale, one weight per adapter");
        m.put("ties_density", tiesDensity);
        m.put("new_lora_steps", List.of(coefficientSteps, loraSteps));
        m.put("joint_lora_steps", jointSteps);
        return m;
    }
}
