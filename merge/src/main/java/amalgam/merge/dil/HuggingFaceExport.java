package amalgam.merge.dil;

import amalgam.engine.Tensor;
import amalgam.engine.io.FileDType;
import amalgam.engine.io.SafetensorsWriter;
import amalgam.engine.nn.TinyViT;
import amalgam.kernels.FloatSegments;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The study's TinyViT as transformers' {@code ViTForImageClassification} and its LoRAs as PEFT adapters of that
 * model, so that {@code amalgam run} and {@code train-coefficients} (and transformers with PEFT) take them as any
 * downloaded checkpoint. The TinyViT is a ViT: pre-norm blocks, a cls token, learned positions, GELU, the final
 * norm before the classifier. What differs is mapped exactly:
 * <ul>
 *   <li>the patch embedding is a Linear over 7×7 grey patches; the ViT's is a convolution over 3 channels, and
 *       its image processor copies grey to all three, so the kernel is the Linear's weight on channel 0 and zero
 *       on the others (no rounding);</li>
 *   <li>the fused qkv projection becomes query, key and value (rows 0–63, 64–127, 128–191, heads contiguous in
 *       each, as both attentions split them); a LoRA on qkv becomes three LoRAs that share its A, each with its
 *       slice of B;</li>
 *   <li>pixels are bytes / 255 in both (rescale, no normalisation, no resize).</li>
 * </ul>
 * Weights use the names transformers saves checkpoints under; adapters use PEFT 0.21's names on transformers 5
 * ({@code vit.layers.N.attention.q_proj}), as the fixtures made by PEFT do. Checked once by hand: transformers
 * 5.17 with PEFT 0.21 load an exported base and adapter and give {@code amalgam run}'s logits to 1e-6.
 */
final class HuggingFaceExport {

    /** id2label: Fashion-MNIST's classes, with "/" (not allowed in a class folder's name) as "-". */
    static final List<String> LABELS = List.of("T-shirt-top", "Trouser", "Pullover", "Dress", "Coat", "Sandal",
            "Shirt", "Sneaker", "Bag", "Ankle boot");

    private static final String[] PROJECTIONS = {"q_proj", "k_proj", "v_proj"};
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private HuggingFaceExport() {}

    /** A tensor to write: its shape and fp32 values, row-major. */
    record Values(int[] shape, float[] data) {
        static Values of(Tensor t) {
            return new Values(t.shape().clone(), t.toFloatArray());
        }
    }

    /** config.json, preprocessor_config.json and model.safetensors of {@code model} into {@code directory}. */
    static void writeModel(TinyViT model, Path directory) throws IOException {
        Files.createDirectories(directory);
        JSON.writeValue(directory.resolve("config.json").toFile(), config());
        JSON.writeValue(directory.resolve("preprocessor_config.json").toFile(), preprocessorConfig());
        writeSafetensors(checkpointTensors(model.namedParameters()), directory.resolve("model.safetensors"));
    }

    /** adapter_config.json and adapter_model.safetensors of one LoRA of the study into {@code directory}. */
    static void writeAdapter(LoraFactors lora, Path base, Path directory) throws IOException {
        Files.createDirectories(directory);
        int rank = lora.a().values().iterator().next().dim(0);
        JSON.writeValue(directory.resolve("adapter_config.json").toFile(),
                adapterConfig(rank, lora.scaling() * rank, base.toAbsolutePath().normalize().toString()));
        writeSafetensors(adapterTensors(lora), directory.resolve("adapter_model.safetensors"));
    }

    static ObjectNode config() {
        ObjectNode c = JSON.createObjectNode();
        c.putArray("architectures").add("ViTForImageClassification");
        c.put("model_type", "vit");
        c.put("hidden_size", TinyViT.DIM);
        c.put("num_hidden_layers", TinyViT.DEPTH);
        c.put("num_attention_heads", TinyViT.HEADS);
        c.put("intermediate_size", TinyViT.HIDDEN);
        c.put("hidden_act", "gelu");
        c.put("hidden_dropout_prob", 0.0);
        c.put("attention_probs_dropout_prob", 0.0);
        c.put("layer_norm_eps", 1e-5);
        c.put("image_size", TinyViT.IMAGE);
        c.put("patch_size", TinyViT.PATCH);
        c.put("num_channels", 3);
        c.put("qkv_bias", true);
        c.put("dtype", "float32");
        ObjectNode id2label = c.putObject("id2label"), label2id = c.putObject("label2id");
        for (int i = 0; i < LABELS.size(); i++) {
            id2label.put(Integer.toString(i), LABELS.get(i));
            label2id.put(LABELS.get(i), i);
        }
        return c;
    }

    static ObjectNode preprocessorConfig() {
        ObjectNode p = JSON.createObjectNode();
        p.put("image_processor_type", "ViTImageProcessor");
        // transformers' processor keeps a grey PNG at one channel unless told to convert; the engine always does.
        p.put("do_convert_rgb", true);
        p.put("do_resize", false);
        p.putObject("size").put("height", TinyViT.IMAGE).put("width", TinyViT.IMAGE);
        p.put("resample", 2);
        p.put("do_rescale", true);
        p.put("rescale_factor", 1 / 255.0);
        p.put("do_normalize", false);
        ArrayNode mean = p.putArray("image_mean"), std = p.putArray("image_std");
        for (int c = 0; c < 3; c++) {
            mean.add(0.5);
            std.add(0.5);
        }
        return p;
    }

    static ObjectNode adapterConfig(int rank, double alpha, String base) {
        ObjectNode a = JSON.createObjectNode();
        a.put("peft_type", "LORA");
        a.put("task_type", (String) null);
        ObjectNode mapping = a.putObject("auto_mapping");
        mapping.put("base_model_class", "ViTForImageClassification");
        mapping.put("parent_library", "transformers.models.vit.modeling_vit");
        a.put("base_model_name_or_path", base);
        a.put("r", rank);
        a.put("lora_alpha", alpha);
        a.put("lora_dropout", 0.0);
        a.put("bias", "none");
        a.put("fan_in_fan_out", false);
        a.put("use_rslora", false);
        a.put("inference_mode", true);
        a.put("init_lora_weights", true);
        a.putArray("target_modules").add("q_proj").add("k_proj").add("v_proj").add("o_proj");
        return a;
    }

    /** The TinyViT's parameters under the ViT checkpoint's names and shapes. */
    static Map<String, Values> checkpointTensors(Map<String, Tensor> p) {
        Map<String, Values> out = new LinkedHashMap<>();
        int dim = TinyViT.DIM, patch = TinyViT.PATCH;
        out.put("vit.embeddings.cls_token", Values.of(p.get("cls_token")));
        out.put("vit.embeddings.position_embeddings", Values.of(p.get("pos_embed")));
        float[] linear = p.get("patch_embed.weight").toFloatArray(), kernel = new float[dim * 3 * patch * patch];
        for (int o = 0; o < dim; o++) {
            System.arraycopy(linear, o * patch * patch, kernel, o * 3 * patch * patch, patch * patch); // channel 0
        }
        out.put("vit.embeddings.patch_embeddings.projection.weight", new Values(new int[] {dim, 3, patch, patch}, kernel));
        out.put("vit.embeddings.patch_embeddings.projection.bias", Values.of(p.get("patch_embed.bias")));
        for (int i = 0; i < TinyViT.DEPTH; i++) {
            String from = "blocks." + i + ".", to = "vit.encoder.layer." + i + ".";
            copy(p, out, from + "norm1", to + "layernorm_before");
            float[] qkv = p.get(from + "attn.qkv.weight").toFloatArray(), bias = p.get(from + "attn.qkv.bias").toFloatArray();
            String[] names = {"query", "key", "value"};
            for (int part = 0; part < 3; part++) {
                out.put(to + "attention.attention." + names[part] + ".weight", rows(qkv, part * dim, dim, dim));
                out.put(to + "attention.attention." + names[part] + ".bias",
                        new Values(new int[] {dim}, rows(bias, part * dim, dim, 1).data()));
            }
            copy(p, out, from + "attn.proj", to + "attention.output.dense");
            copy(p, out, from + "norm2", to + "layernorm_after");
            copy(p, out, from + "fc1", to + "intermediate.dense");
            copy(p, out, from + "fc2", to + "output.dense");
        }
        copy(p, out, "norm", "vit.layernorm");
        copy(p, out, "head", "classifier");
        return out;
    }

    /** A study LoRA's factors under PEFT's keys, qkv split into q, k and v sharing A. */
    static Map<String, Values> adapterTensors(LoraFactors lora) {
        Map<String, Values> out = new LinkedHashMap<>();
        int dim = TinyViT.DIM;
        for (int i = 0; i < TinyViT.DEPTH; i++) {
            String prefix = "base_model.model.vit.layers." + i + ".attention.";
            Tensor qkvA = lora.a().get("blocks." + i + ".attn.qkv"), qkvB = lora.b().get("blocks." + i + ".attn.qkv");
            int rank = qkvA.dim(0);
            float[] b = qkvB.toFloatArray();
            for (int part = 0; part < 3; part++) {
                out.put(prefix + PROJECTIONS[part] + ".lora_A.weight", Values.of(qkvA));
                out.put(prefix + PROJECTIONS[part] + ".lora_B.weight", rows(b, part * dim, dim, rank));
            }
            out.put(prefix + "o_proj.lora_A.weight", Values.of(lora.a().get("blocks." + i + ".attn.proj")));
            out.put(prefix + "o_proj.lora_B.weight", Values.of(lora.b().get("blocks." + i + ".attn.proj")));
        }
        return out;
    }

    private static void copy(Map<String, Tensor> from, Map<String, Values> to, String source, String target) {
        to.put(target + ".weight", Values.of(from.get(source + ".weight")));
        to.put(target + ".bias", Values.of(from.get(source + ".bias")));
    }

    /** Rows [first, first + count) of a row-major matrix with {@code cols} columns. */
    private static Values rows(float[] matrix, int first, int count, int cols) {
        float[] out = new float[count * cols];
        System.arraycopy(matrix, first * cols, out, 0, out.length);
        return new Values(new int[] {count, cols}, out);
    }

    private static void writeSafetensors(Map<String, Values> tensors, Path file) throws IOException {
        List<SafetensorsWriter.Spec> specs = tensors.entrySet().stream().map(e -> new SafetensorsWriter.Spec(e.getKey(),
                java.util.Arrays.stream(e.getValue().shape()).asLongStream().toArray(), FileDType.F32)).toList();
        try (SafetensorsWriter writer = SafetensorsWriter.create(file, specs, Map.of("format", "pt"));
             Arena arena = Arena.ofConfined()) {
            for (var e : tensors.entrySet()) {
                float[] values = e.getValue().data();
                MemorySegment segment = FloatSegments.allocate(arena, values.length);
                FloatSegments.copyFromArray(values, 0, segment, 0, values.length);
                writer.write(e.getKey(), segment);
            }
        }
    }
}
