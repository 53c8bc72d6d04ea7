package amalgam.engine.nn;

import amalgam.engine.Tensor;
import amalgam.engine.ops.Joins;

import java.util.Arrays;
import java.util.List;

/**
 * One frozen base layer serving several LoRA adapters in one batch: the batch's rows are grouped by adapter
 * (group g is the next {@code rowsPerAdapter[g]} rows), the base product is one GEMM over all rows, and each
 * group adds its own {@link Lora#update}, the same thin product a {@link Linear} adds for its attached adapters.
 */
public final class MultiLoraLinear {

    private final Tensor weight, bias;
    private final List<Lora> adapters;

    public MultiLoraLinear(Tensor baseWeight, Tensor baseBias, List<Lora> adapters) {
        for (Lora lora : adapters) lora.checkFits(baseWeight);
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
            updates[g] = adapters.get(g).update(x.slice(0, start, start + rowsPerAdapter[g]));
            start += rowsPerAdapter[g];
        }
        Tensor y = x.matmul(weight.mT()).add(Joins.concat(0, updates));
        return bias == null ? y : y.add(bias);
    }
}
