package amalgam.merge.adapter;

import amalgam.engine.io.FileDType;

/**
 * One LoRA-adapted layer: ΔW = scaling · B A with A of shape rank×in and B of shape out×rank, as PEFT stores
 * them. For an embedding, "in" is the number of embeddings and "out" the embedding dimension (PEFT's
 * {@code lora_embedding_A} is r×num_embeddings and {@code lora_embedding_B} is dim×r); PEFT applies the
 * transpose of B A to the embedding table, which changes neither ranks nor norms.
 *
 * @param name    module path inside the base model, e.g. {@code model.layers.0.self_attn.q_proj}
 * @param scaling alpha/r (or alpha/√r) from the adapter's config; 1 for a merged adapter
 * @param dtype   storage type of lora_A in the file (lora_B's may differ; loads are fp32 regardless)
 */
public record LoraModule(String name, Kind kind, int rank, long inFeatures, long outFeatures, double scaling,
                         FileDType dtype) {

    /** Which PEFT layer type the factors belong to; it decides the tensor keys. */
    public enum Kind {
        LINEAR(".lora_A.weight", ".lora_B.weight"),
        EMBEDDING(".lora_embedding_A", ".lora_embedding_B");

        final String aSuffix;
        final String bSuffix;

        Kind(String aSuffix, String bSuffix) {
            this.aSuffix = aSuffix;
            this.bSuffix = bSuffix;
        }
    }

    /** Every PEFT LoRA key starts with this: the PeftModel's base_model attribute, then the LoraModel's model. */
    public static final String KEY_PREFIX = "base_model.model.";

    public String aKey() {
        return KEY_PREFIX + name + kind.aSuffix;
    }

    public String bKey() {
        return KEY_PREFIX + name + kind.bSuffix;
    }

    public long[] aShape() {
        return new long[] {rank, inFeatures};
    }

    public long[] bShape() {
        return new long[] {outFeatures, rank};
    }

    /** Number of trainable parameters: the entries of A and B. */
    public long parameterCount() {
        return (long) rank * (inFeatures + outFeatures);
    }

    /** The same module with another rank and scaling, as a merge produces it. */
    public LoraModule withRank(int newRank, double newScaling) {
        return new LoraModule(name, kind, newRank, inFeatures, outFeatures, newScaling, dtype);
    }
}
