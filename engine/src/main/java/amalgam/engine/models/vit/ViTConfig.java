package amalgam.engine.models.vit;

import static amalgam.engine.InputException.quote;

import amalgam.engine.Tensor;
import amalgam.engine.hub.JsonConfig;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The fields of a ViT config.json that the forward pass depends on, with transformers' ViTConfig defaults for
 * absent keys. Every error names config.json and the key.
 *
 * @param labels class names by index, from {@code id2label} ("LABEL_i" as transformers names them when it is absent)
 */
public record ViTConfig(int hiddenSize, int numHiddenLayers, int numAttentionHeads, int intermediateSize,
        String hiddenAct, double layerNormEps, int imageSize, int patchSize, int numChannels, boolean qkvBias,
        List<String> labels) {

    /** transformers' ACT2FN names this engine computes, each with its exact formula. */
    private static final Map<String, UnaryOperator<Tensor>> ACTIVATIONS = Map.of(
            "gelu", Tensor::gelu,
            "gelu_new", Tensor::geluTanh,
            "gelu_pytorch_tanh", Tensor::geluTanh,
            "relu", Tensor::relu,
            "silu", Tensor::silu,
            "swish", Tensor::silu);

    public static ViTConfig from(JsonConfig config) {
        String modelType = config.string("model_type", "vit");
        if (!modelType.equals("vit")) throw config.error("model_type", "is " + quote(modelType) + ", not a ViT");
        int hidden = config.positive("hidden_size");
        int heads = config.positive("num_attention_heads");
        if (hidden % heads != 0) {
            throw config.error("num_attention_heads", heads + " heads do not divide hidden_size " + hidden);
        }
        String act = config.string("hidden_act", "gelu");
        if (!ACTIVATIONS.containsKey(act)) {
            throw config.error("hidden_act", quote(act) + " is not supported (supported: "
                    + ACTIVATIONS.keySet().stream().sorted().toList() + ")");
        }
        int imageSize = config.positive("image_size");
        int patchSize = config.positive("patch_size");
        if (imageSize % patchSize != 0) {
            throw config.error("patch_size", patchSize + " does not divide image_size " + imageSize);
        }
        return new ViTConfig(hidden, config.positive("num_hidden_layers"), heads, config.positive("intermediate_size"),
                act, config.nonNegative("layer_norm_eps", 1e-12), imageSize, patchSize, config.integer("num_channels", 3),
                config.flag("qkv_bias", true), labels(config));
    }

    public int numLabels() {
        return labels.size();
    }

    public int headDim() {
        return hiddenSize / numAttentionHeads;
    }

    /** Patches per side of the image. */
    public int grid() {
        return imageSize / patchSize;
    }

    /** Sequence length: the cls token and one token per patch. */
    public int tokens() {
        return grid() * grid() + 1;
    }

    /** The hidden activation as a differentiable function. */
    public UnaryOperator<Tensor> activation() {
        return ACTIVATIONS.get(hiddenAct);
    }

    /** id2label in index order; its keys must be 0..n−1, and num_labels, when given, must agree. */
    private static List<String> labels(JsonConfig config) {
        int declared = config.integer("num_labels", -1);
        if (!config.has("id2label")) {
            int n = declared >= 0 ? declared : 2; // transformers' PretrainedConfig default
            List<String> names = new ArrayList<>();
            for (int i = 0; i < n; i++) names.add("LABEL_" + i);
            return List.copyOf(names);
        }
        JsonNode map = config.object("id2label").orElseThrow().node();
        String[] names = new String[map.size()];
        for (Map.Entry<String, JsonNode> entry : map.properties()) {
            int id;
            try {
                id = Integer.parseInt(entry.getKey());
            } catch (NumberFormatException e) {
                throw config.error("id2label", "key " + quote(entry.getKey()) + " is not a class index");
            }
            if (id < 0 || id >= names.length || names[id] != null) {
                throw config.error("id2label", "class indices must be 0.." + (names.length - 1) + " once each, found "
                        + quote(entry.getKey()));
            }
            if (!entry.getValue().isTextual()) {
                throw config.error("id2label", "the label of class " + id + " is not a string");
            }
            names[id] = entry.getValue().textValue();
        }
        if (declared >= 0 && declared != names.length) {
            throw config.error("num_labels", declared + " disagrees with the " + names.length + " labels of id2label");
        }
        return List.copyOf(Arrays.asList(names));
    }
}
