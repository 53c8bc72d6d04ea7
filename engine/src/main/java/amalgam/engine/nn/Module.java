package amalgam.engine.nn;

import amalgam.engine.InputException;
import amalgam.engine.Tensor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A building block of a model, as in PyTorch's {@code nn.Module}: it owns named parameters and child
 * modules, and its {@link #forward} composes differentiable ops. Parameters are leaf tensors whose storage
 * outlives training steps; frozen ones (requiresGrad false) are still parameters, but optimisers skip them.
 */
public abstract class Module {

    private final Map<String, Tensor> parameters = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private boolean training = true;

    public abstract Tensor forward(Tensor x);

    /** Registers a trainable parameter (moved out of any open step so it survives it); returns it. */
    protected final Tensor parameter(String name, Tensor value) {
        return register(name, value, true);
    }

    /** Registers a parameter that is not trained (a frozen base weight). */
    protected final Tensor frozen(String name, Tensor value) {
        return register(name, value, false);
    }

    private Tensor register(String name, Tensor value, boolean trainable) {
        Tensor p = (value.gradFn() == null ? value : value.detach()).toPersistent();
        p.requiresGrad(trainable);
        if (parameters.putIfAbsent(name, p) != null) throw new IllegalArgumentException("duplicate parameter " + name);
        return p;
    }

    /** Replaces a registered parameter's tensor (merging adapters swaps weights). */
    protected final void replaceParameter(String name, Tensor value) {
        if (!parameters.containsKey(name)) throw new IllegalArgumentException("no parameter " + name);
        parameters.put(name, value);
    }

    protected final void removeParameter(String name) {
        if (parameters.remove(name) == null) throw new IllegalArgumentException("no parameter " + name);
    }

    protected final <M extends Module> M child(String name, M module) {
        if (children.putIfAbsent(name, module) != null) throw new IllegalArgumentException("duplicate child " + name);
        return module;
    }

    /**
     * The submodule at a dotted path ("model.layers.0.self_attn.q_proj"), as in PyTorch's
     * {@code get_submodule}; a child's own name may contain dots ("blocks.0").
     */
    public final Optional<Module> module(String path) {
        if (path.isEmpty()) return Optional.of(this);
        for (Map.Entry<String, Module> child : children.entrySet()) {
            String name = child.getKey();
            if (path.equals(name)) return Optional.of(child.getValue());
            if (path.startsWith(name + ".")) {
                Optional<Module> found = child.getValue().module(path.substring(name.length() + 1));
                if (found.isPresent()) return found;
            }
        }
        return Optional.empty();
    }

    /** The {@link Linear} at a dotted path; the error names the path when there is none. */
    public final Linear linear(String path) {
        Module m = module(path).orElseThrow(() -> new InputException("module " + InputException.quote(path),
                "not found in " + getClass().getSimpleName()));
        if (!(m instanceof Linear linear)) {
            throw new InputException("module " + InputException.quote(path), "is a " + m.getClass().getSimpleName()
                    + ", not a linear layer: LoRA adapters attach to linear layers");
        }
        return linear;
    }

    /**
     * Attaches LoRA factors A [r, in] and B [out, r] with scaling s, as adapter {@code adapterName}, to the
     * linear layer at {@code modulePath}; the error names the module when it is missing or the shapes do not fit.
     */
    public final void attachLora(String modulePath, String adapterName, Tensor a, Tensor b, double scaling) {
        Linear target = linear(modulePath);
        try {
            target.attachLora(adapterName, a, b, scaling);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new InputException("module " + InputException.quote(modulePath) + ", adapter "
                    + InputException.quote(adapterName), e.getMessage(), e);
        }
    }

    /** Every parameter of this module and its children, by dotted path ("blocks.0.attn.qkv.weight"). */
    public final Map<String, Tensor> namedParameters() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect("", out);
        return Collections.unmodifiableMap(out);
    }

    private void collect(String prefix, Map<String, Tensor> out) {
        parameters.forEach((name, p) -> out.put(prefix + name, p));
        children.forEach((name, m) -> m.collect(prefix + name + ".", out));
    }

    /** This module and every submodule, by dotted path ("" for this one), parents before children. */
    public final Map<String, Module> namedModules() {
        Map<String, Module> out = new LinkedHashMap<>();
        collectModules("", out);
        return Collections.unmodifiableMap(out);
    }

    private void collectModules(String path, Map<String, Module> out) {
        out.put(path, this);
        children.forEach((name, m) -> m.collectModules(path.isEmpty() ? name : path + "." + name, out));
    }

    /** The parameters an optimiser should update (requiresGrad set). */
    public final List<Tensor> trainableParameters() {
        List<Tensor> out = new ArrayList<>();
        for (Tensor p : namedParameters().values()) if (p.requiresGrad()) out.add(p);
        return out;
    }

    /** Number of scalar parameters, frozen ones included. */
    public final long parameterCount() {
        long n = 0;
        for (Tensor p : namedParameters().values()) n += p.numel();
        return n;
    }

    public final void zeroGrad() {
        for (Tensor p : namedParameters().values()) p.zeroGrad();
    }

    /** Training mode (dropout active) or evaluation mode, for this module and its children. */
    public final void train(boolean on) {
        training = on;
        for (Module m : children.values()) m.train(on);
    }

    public final boolean isTraining() {
        return training;
    }
}
