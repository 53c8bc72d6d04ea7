package amalgam.merge.adaptive;

import amalgam.engine.DType;
import amalgam.engine.Tensor;
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
        Random random = new Random(seed);
        List<Map<String, Tensor>> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Map<String, Tensor> adapter = new LinkedHashMap<>();
            for (String module : TinyViT.ATTENTION_PROJECTIONS) {
                Tensor w0 = base.namedParameters().get(module + ".weight");
                adapter.put(module, Tensor.randn(w0.dtype(), random, w0.shape()).mul(std).toPersistent());
            }
            out.add(adapter);
        }
        return out;
    }

    static Tensor images(DType dtype, int count, long seed) {
        return Tensor.rand(dtype, new Random(seed), 0, 1, count, TinyViT.IMAGE * TinyViT.IMAGE).toPersistent();
    }

    /** Sets a leaf's values in place. */
    static void set(Tensor leaf, double[] values) {
        Tensor.of(leaf.dtype(), values, leaf.shape().clone()).copyInto(leaf);
    }
}
