package amalgam.merge.adaptive;

import amalgam.engine.Engine;
import amalgam.engine.Tensor;
import amalgam.engine.models.LoadedModel;
import amalgam.engine.nn.Linear;
import amalgam.engine.nn.Module;
import amalgam.kernels.FloatSegments;
import amalgam.engine.InputException;
import amalgam.merge.adapter.LoraAdapter;
import amalgam.merge.adapter.LoraModule;

import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * A PEFT LoRA adapter's dense updates s·B·A per module, checked against a base model's linear weights and keyed
 * by the layer's path in the model's module tree.
 */
public final class PeftDeltas {

    private PeftDeltas() {}

    /** The updates of a model whose module paths are the adapter's module names (TinyViT). */
    public static Map<String, Tensor> read(Path adapterDirectory, Module base) {
        return read(adapterDirectory, base, UnaryOperator.identity());
    }

    /** The updates of a loaded Hugging Face model, its modules found as {@link LoadedModel#modulePath} says. */
    public static Map<String, Tensor> read(Path adapterDirectory, LoadedModel base) {
        return read(adapterDirectory, base.module(), base::modulePath);
    }

    private static Map<String, Tensor> read(Path adapterDirectory, Module base, UnaryOperator<String> modulePath) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        try (LoraAdapter adapter = LoraAdapter.open(adapterDirectory); Arena arena = Arena.ofConfined()) {
            for (LoraModule m : adapter.modules()) {
                String path = modulePath.apply(m.name());
                Tensor w0 = m.kind() == LoraModule.Kind.LINEAR
                        && base.module(path).orElse(null) instanceof Linear linear ? linear.weight() : null;
                if (w0 == null) {
                    throw new InputException(adapterDirectory.toString(), "module '" + m.name()
                            + "' is not a linear layer of the base model");
                }
                if (w0.dim(0) != m.outFeatures() || w0.dim(1) != m.inFeatures()) {
                    throw new InputException(adapterDirectory.toString(), "module '" + m.name() + "' is "
                            + m.outFeatures() + "×" + m.inFeatures() + ", the base's weight is " + Arrays.toString(w0.shape()));
                }
                float[] a = FloatSegments.toArray(adapter.loadA(m, arena), 0, (int) (m.rank() * m.inFeatures()));
                float[] b = FloatSegments.toArray(adapter.loadB(m, arena), 0, (int) (m.outFeatures() * m.rank()));
                try (var _ = Engine.noGrad(); var _ = Engine.step()) {
                    Tensor delta = Tensor.of(b, (int) m.outFeatures(), m.rank())
                            .matmul(Tensor.of(a, m.rank(), (int) m.inFeatures())).mul(m.scaling());
                    out.put(path, delta.toPersistent());
                }
            }
        }
        return out;
    }
}
