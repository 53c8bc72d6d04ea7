package amalgam.engine.nn;

import amalgam.engine.Tensor;

import java.util.List;

/** Modules applied one after another; children are named by position ("0", "1", ...), as in PyTorch. */
public final class Sequential extends Module {

    private final List<Module> layers;

    public Sequential(Module... layers) {
        this.layers = List.of(layers);
        for (int i = 0; i < layers.length; i++) child(Integer.toString(i), layers[i]);
    }

    @Override
    public Tensor forward(Tensor x) {
        for (Module layer : layers) x = layer.forward(x);
        return x;
    }
}
