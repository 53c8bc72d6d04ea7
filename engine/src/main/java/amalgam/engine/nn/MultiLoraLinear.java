package amalgam.engine.nn;

import amalgam.engine.Tensor;
import amalgam.engine.ops.Joins;

import java.util.Arrays;
import java.util.List;

/**
 * One frozen base layer serving several LoRA adapters in one batch: the batch's rows are grouped by
 * adapter (group g is the next {@code rowsPerAdapter[g]} rows), the base product is one GEMM over all rows,
 * and each group adds its own thin low-rank product s_g·(x_g·A_gᵀ)·B_gᵀ. No adapter's B·A is materialised.
 */
public final class MultiLoraLinear {

    /** One adapter's factors (A [r, in], B [out, r]) and scaling. */
    public record Adapter(Tensor a, Tensor b, double scaling) {}

    private final Tensor weight, bias;
    private final List<Adapter> adapters;

    public MultiLoraLinear(Tensor baseWeight, Tensor baseBias, List<Adapter> adapters) {
        for (Adapter ad : adapters) {
            if (ad.a().dim(1) != baseWeight.dim(1) || ad.b().dim(0) != baseWeight.dim(0) || ad.b().dim(1) != ad.a().dim(0)) {
                throw new IllegalArgumentException("adapter factors " + Arrays.toString(ad.a().shape()) + " and "
                        + Arrays.toString(ad.b().shape()) + " do not fit base weight " + Arrays.toString(baseWeight.shape()));
            }
        }
        this.weight = baseWeight;
        this.bias = baseBias;
        this.adapters = List.copyOf(adapters);
    }

    /** y for x [rows, in], where the first rowsPerAdapter[0] rows use adapter 0, the next ones adapter 1, ... */
    public Tensor forward(Tensor x, int[] rowsPerAdapter) {
        if (rowsPerAdapter.length != adapters.size() || Arrays.stream(rowsPerAdapter).sum() != x.dim(0)) {
            throw new IllegalArgumentException("rowsPerAdapter " + Arrays.toString(rowsPerAdapter) + " must give one count per "
                    + "adapter (" + adapters.size() + ") summing to the " + x.dim(0) + " rows of x");
        }
        Tensor[] updates = new Tensor[adapters.size()];
        int start = 0;
        for (int g = 0; g < updates.length; g++) {
            Adapter ad = adapters.get(g);
            Tensor rows = x.slice(0, start, start + rowsPerAdapter[g]);
            updates[g] = rows.matmul(ad.a().mT()).mul(ad.scaling()).matmul(ad.b().mT());
            start += rowsPerAdapter[g];
        }
        Tensor y = x.matmul(weight.mT()).add(Joins.concat(0, updates));
        return bias == null ? y : y.add(bias);
    }
}
