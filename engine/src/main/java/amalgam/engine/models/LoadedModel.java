package amalgam.engine.models;

import amalgam.engine.nn.Module;

/** A model {@link Architectures#load} built from a checkpoint directory, whatever its kind. */
public interface LoadedModel {

    /** The config.json architecture it was loaded as ("LlamaForCausalLM"). */
    String architecture();

    /**
     * The module tree, whose parameter names are the checkpoint's keys: where adapters attach
     * ({@link Module#attachLora}) and where an optimiser finds trainable parameters.
     */
    Module module();

    /**
     * The path in {@link #module()} of the layer a PEFT adapter names {@code adapterModule} (its key without
     * {@code base_model.model.} and the factor suffix). The same as the checkpoint's name, except for
     * architectures whose module names in transformers differ from their checkpoint keys.
     */
    default String modulePath(String adapterModule) {
        return adapterModule;
    }
}
