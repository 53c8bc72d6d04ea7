package amalgam.merge.adapter;

import static amalgam.engine.InputException.quote;

import amalgam.engine.InputException;

/**
 * A safetensors key parsed as PEFT names LoRA factors: {@code base_model.model.<module>.lora_A.weight},
 * {@code .lora_B.weight}, {@code .lora_embedding_A} or {@code .lora_embedding_B}.
 */
record LoraKey(String module, LoraModule.Kind kind, boolean isA) {

    /**
     * The key's module and factor; null for a tensor that is not LoRA at all (no "lora_" in its name). A name that
     * looks like LoRA but is not one of the four forms is refused rather than skipped, because skipping a factor
     * would silently drop part of the update.
     */
    static LoraKey parse(String key, String file) {
        if (!key.contains("lora_")) return null;
        String where = file + ": tensor " + quote(key);
        if (key.contains("lora_magnitude_vector")) {
            throw new InputException(where, "is a DoRA magnitude vector; DoRA adapters are not supported");
        }
        for (LoraModule.Kind kind : LoraModule.Kind.values()) {
            for (boolean isA : new boolean[] {true, false}) {
                String suffix = isA ? kind.aSuffix : kind.bSuffix;
                if (key.startsWith(LoraModule.KEY_PREFIX) && key.endsWith(suffix)
                        && key.length() > LoraModule.KEY_PREFIX.length() + suffix.length()) {
                    return new LoraKey(key.substring(LoraModule.KEY_PREFIX.length(), key.length() - suffix.length()),
                            kind, isA);
                }
            }
        }
        throw new InputException(where, "is not a PEFT LoRA key (expected " + LoraModule.KEY_PREFIX
                + "<module>.lora_A.weight, .lora_B.weight, .lora_embedding_A or .lora_embedding_B)");
    }
}
