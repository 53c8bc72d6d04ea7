package amalgam.engine.models.vit;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * transformers 5 renamed ViT's modules ({@code vit.layers.0.attention.q_proj}) but saves checkpoints under the old
 * names ({@code vit.encoder.layer.0.attention.attention.query}), which the model's module tree uses; PEFT 0.21
 * writes adapter keys with the new ones. This maps either form to the tree's name (transformers'
 * conversion_mapping "ViTModel", reversed).
 */
public final class ViTModuleNames {

    private record Rename(Pattern from, String to) {}

    private static final String LAYER = "^vit\\.layers\\.(\\d+)\\.", OLD_LAYER = "vit.encoder.layer.$1.";
    private static final List<Rename> RENAMES = List.of(
            rename(LAYER + "attention\\.q_proj", OLD_LAYER + "attention.attention.query"),
            rename(LAYER + "attention\\.k_proj", OLD_LAYER + "attention.attention.key"),
            rename(LAYER + "attention\\.v_proj", OLD_LAYER + "attention.attention.value"),
            rename(LAYER + "attention\\.o_proj", OLD_LAYER + "attention.output.dense"),
            rename(LAYER + "mlp\\.fc1", OLD_LAYER + "intermediate.dense"),
            rename(LAYER + "mlp\\.fc2", OLD_LAYER + "output.dense"),
            rename(LAYER + "(layernorm_before|layernorm_after)", OLD_LAYER + "$2"));

    private ViTModuleNames() {}

    private static Rename rename(String from, String to) {
        return new Rename(Pattern.compile(from + "(?=\\.|$)"), to);
    }

    /** The module tree's name for a module (or parameter) path in either naming; other names are returned as they are. */
    public static String checkpointName(String name) {
        for (Rename r : RENAMES) {
            Matcher m = r.from().matcher(name);
            if (m.find()) return m.replaceFirst(r.to());
        }
        return name;
    }
}
