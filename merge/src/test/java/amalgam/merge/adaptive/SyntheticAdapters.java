package amalgam.merge.adaptive;

import amalgam.engine.DType;
import amalgam.engine.Tensor;
import amalgam.engine.hub.TensorSource;
import amalgam.engine.nn.Module;
import amalgam.engine.nn.TinyViT;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Random TinyViTs, random dense adapters on the adapted modules, and random images, for the adaptive tests. */
final class SyntheticAdapters {

    private SyntheticAdapters() {}

    static TinyViT base(DType dtype, long seed) {
        return new TinyViT(dtype, new Random(seed));
    }

    /** {@code count} adapters with N(0, std²) deltas on every adapted module. */
    static List<Map<String, Tensor>> adapters(TinyViT base, int count, double std, long seed) {
        return adapters(base, TinyViT.ATTENTION_PROJECTIONS, count, std, seed);
    }

    /** {@code count} adapters with N(0, std²) deltas on the Linear layers {@code modules} of any model. */
    static List<Map<String, Tensor>> adapters(Module base, List<String> modules, int count, double std, long seed) {
        Random random = new Random(seed);
        List<Map<String, Tensor>> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Map<String, Tensor> adapter = new LinkedHashMap<>();
            for (String module : modules) {
                Tensor w0 = base.linear(module).weight();
                adapter.put(module, Tensor.randn(w0.dtype(), random, w0.shape()).mul(std).toPersistent());
            }
            out.add(adapter);
        }
        return out;
    }

    static Tensor images(DType dtype, int count, long seed) {
        return Tensor.rand(dtype, new Random(seed), 0, 1, count, TinyViT.IMAGE * TinyViT.IMAGE).toPersistent();
    }

    /** Random weights of whatever shape a model definition asks for: norm scales near 1, the rest small. */
    static TensorSource randomWeights(DType dtype, long seed) {
        Random random = new Random(seed);
        return new TensorSource() {
            @Override
            public boolean has(String name) {
                return true;
            }

            @Override
            public Tensor load(String name, int... shape) {
                boolean scale = name.endsWith("norm.weight") || name.contains("layernorm") && name.endsWith("weight");
                return (scale ? Tensor.rand(dtype, random, 0.5, 1.5, shape) : Tensor.rand(dtype, random, -0.5, 0.5, shape))
                        .toPersistent();
            }
        };
    }

    /** Sets a leaf's values in place. */
    static void set(Tensor leaf, double[] values) {
        Tensor.of(leaf.dtype(), values, leaf.shape().clone()).copyInto(leaf);
    }
}
