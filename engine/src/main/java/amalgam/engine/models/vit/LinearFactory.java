package amalgam.engine.models.vit;

import amalgam.engine.nn.Linear;
import amalgam.engine.nn.Module;

/**
 * The layer the model uses in place of each checkpoint Linear, given its full name
 * ("vit.encoder.layer.0.attention.attention.query"): the layer itself, or a module around it (a LoRA layer
 * over its frozen weight). The seam the engine's shared adapter attachment replaces once it exists.
 */
@FunctionalInterface
interface LinearFactory {

    Module linear(String name, Linear base);
}
