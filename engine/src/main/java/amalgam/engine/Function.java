package amalgam.engine;

/**
 * One node of the autograd graph, in the PyTorch {@code autograd.Function} style: an op's forward computes
 * its output and keeps (in fields) what its backward needs; {@link #backward} maps the gradient of the
 * output to the gradients of the inputs. Each op is a small subclass with the two side by side.
 *
 * <p>The graph is recorded by {@link #attach}, only when gradients are enabled and some input requires them;
 * otherwise the node is dropped at once and costs nothing more.
 */
public abstract class Function {

    private Tensor[] inputs;

    /**
     * Given the gradient of the loss with respect to this node's output (the output's shape; contiguous
     * unless {@link #acceptsStridedGradient()}),
     * returns one gradient per input, each of that input's shape, or null for inputs that need none.
     * Runs with gradient recording off, so it may use ordinary tensor ops.
     */
    protected abstract Tensor[] backward(Tensor grad);

    /**
     * Whether {@link #backward} accepts a gradient in any layout (a view). By default it receives a
     * contiguous one; ops whose backward reads through strides anyway say yes, which saves the copy when
     * a gradient arrives as a transposed or permuted view.
     */
    protected boolean acceptsStridedGradient() {
        return false;
    }

    /** Whether input {@code i} wants a gradient: backward may skip computing the others. */
    protected final boolean needsGrad(int i) {
        return inputs[i].requiresGrad();
    }

    final Tensor[] inputs() {
        return inputs;
    }

    /** Makes this node the producer of {@code out} when the graph is being recorded; returns {@code out}. */
    protected final Tensor attach(Tensor out, Tensor input) {
        if (input.requiresGrad() && Context.current().gradEnabled) link(out, new Tensor[] {input});
        return out;
    }

    protected final Tensor attach(Tensor out, Tensor a, Tensor b) {
        if ((a.requiresGrad() || b.requiresGrad()) && Context.current().gradEnabled) link(out, new Tensor[] {a, b});
        return out;
    }

    /** For ops with many inputs (concat, layernorm); null inputs (absent optional operands) are allowed. */
    protected final Tensor attachAll(Tensor out, Tensor... ins) {
        boolean any = false;
        for (Tensor t : ins) any |= t != null && t.requiresGrad();
        if (any && Context.current().gradEnabled) link(out, ins);
        return out;
    }

    private void link(Tensor out, Tensor[] ins) {
        this.inputs = ins;
        out.setGradFn(this);
    }

    @Override
    public String toString() {
        return getClass().getSimpleName();
    }
}
