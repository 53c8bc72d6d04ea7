package amalgam.merge.adaptive;

import amalgam.engine.Engine;
import amalgam.engine.Tensor;
import amalgam.kernels.FloatSegments;
import amalgam.engine.InputException;
import amalgam.merge.adapter.LoraAdapter;
import amalgam.merge.adapter.LoraModule;

import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** A PEFT LoRA adapter's dense updates s·B·A per module, checked against a base model's linear weights. */
public final class PeftDeltas {

    private PeftDeltas() {}

    public static Map<String, Tensor> read(Path adapterDirectory, Map<String, Tensor> base) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        try (LoraAdapter adapter = LoraAdapter.open(adapterDirectory); Arena arena = Arena.ofConfined()) {
            for (LoraModule m : adapter.modules()) {
                Tensor w0 = base.get(m.name() + ".weight");
                if (m.kind() != LoraModule.Kind.LINEAR || w0 == null || w0.rank() != 2) {
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
                    out.put(m.name(), delta.toPersistent());
                }
            }
        }
        return out;
    }
}
