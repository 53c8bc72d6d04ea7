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
}
