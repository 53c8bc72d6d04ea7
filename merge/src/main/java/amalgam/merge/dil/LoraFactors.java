package amalgam.merge.dil;

import amalgam.engine.DType;
import amalgam.engine.Engine;
import amalgam.engine.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/** A LoRA adapter on some linear modules: A [r, in] and B [out, r] per module, and the scaling s = α/r. */
public record LoraFactors(Map<String, Tensor> a, Map<String, Tensor> b, double scaling) {

    /** s·B·A for every module, as persistent tensors [out, in]. */
    public Map<String, Tensor> deltas() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        try (var _ = Engine.noGrad(); var _ = Engine.step()) {
            for (String module : a.keySet()) out.put(module, b.get(module).matmul(a.get(module)).mul(scaling).toPersistent());
        }
        return out;
    }

    /**
     * A random LoRA of the same rank with, module by module, the same Frobenius norm of s·B·A as {@code like}:
     * the random-LoRA control, which keeps the size of an update and loses its content.
     */
    public static LoraFactors randomLike(LoraFactors like, Random random) {
        Map<String, Tensor> a = new LinkedHashMap<>(), b = new LinkedHashMap<>();
        try (var _ = Engine.noGrad(); var _ = Engine.step()) {
            for (String module : like.a().keySet()) {
                Tensor a0 = like.a().get(module), b0 = like.b().get(module);
                Tensor ra = Tensor.randn(DType.F32, random, a0.shape());
                Tensor rb = Tensor.randn(DType.F32, random, b0.shape());
                double target = norm(b0.matmul(a0).mul(like.scaling()));
                double current = norm(rb.matmul(ra).mul(like.scaling()));
                a.put(module, ra.toPersistent());
                b.put(module, rb.mul(current == 0 ? 0 : target / current).toPersistent());
            }
        }
        return new LoraFactors(a, b, like.scaling());
    }

    static double norm(Tensor t) {
        double s = 0;
        for (double v : t.toDoubleArray()) s += v * v;
        return Math.sqrt(s);
    }
}
