package amalgam.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The backward pass, in exactly one place: order the graph below the root topologically, then walk it from
 * the root down, giving each node the gradient of its output and accumulating what it returns into its
 * inputs. Leaves keep their gradients (summed across backward calls until zeroed); intermediate gradients
 * and the graph itself are released as the walk passes, as PyTorch does without {@code retain_graph}.
 */
final class Autograd {

    private static final AtomicInteger EPOCH = new AtomicInteger(); // marks visited tensors without a hash set

    private Autograd() {}

    static void backward(Tensor root, Tensor rootGrad) {
        if (!root.requiresGrad()) {
            throw new IllegalStateException("backward() on a tensor that does not require grad: no input of the "
                    + "computation has requiresGrad set, or it was computed under noGrad");
        }
        if (rootGrad == null) {
            if (root.numel() != 1) {
                throw new IllegalArgumentException("backward() without a gradient needs a single-element output, got "
                        + Arrays.toString(root.shape()));
            }
            rootGrad = Tensor.full(root.dtype(), 1.0, root.shape());
        } else if (!Arrays.equals(rootGrad.shape(), root.shape())) {
            throw new IllegalArgumentException("gradient shape " + Arrays.toString(rootGrad.shape())
                    + " does not match output shape " + Arrays.toString(root.shape()));
        }
        try (var _ = Engine.noGrad()) {
            if (root.gradFn() == null) { // backward on a leaf: its gradient is the given one
                accumulate(root, rootGrad);
                return;
            }
            ArrayList<Tensor> order = topologicalOrder(root);
            accumulate(root, rootGrad);
            for (int i = order.size() - 1; i >= 0; i--) {
                Tensor t = order.get(i);
                Function fn = t.gradFn();
                Tensor grad = t.grad();
                t.setGradFn(null);
                t.setGradInternal(null); // intermediates do not keep gradients
                if (grad == null) continue; // no path from the root reached this node's output
                Tensor[] inputs = fn.inputs();
                Tensor[] grads = fn.backward(fn.acceptsStridedGradient() ? grad : grad.contiguous());
                for (int j = 0; j < inputs.length; j++) {
                    Tensor in = inputs[j];
                    if (in != null && in.requiresGrad() && grads[j] != null) accumulate(in, grads[j]);
                }
            }
        }
    }

    /** Non-leaf tensors reachable from root, each after all tensors it depends on. */
    private static ArrayList<Tensor> topologicalOrder(Tensor root) {
        int mark = EPOCH.incrementAndGet();
        ArrayList<Tensor> order = new ArrayList<>();
        // Iterative post-order DFS: deep graphs (thousands of ops) must not overflow the stack.
        ArrayList<Tensor> stack = new ArrayList<>();
        ArrayList<Integer> next = new ArrayList<>();
        root.visitMark = mark;
        stack.add(root);
        next.add(0);
        while (!stack.isEmpty()) {
            int top = stack.size() - 1;
            Tensor t = stack.get(top);
            Tensor[] inputs = t.gradFn().inputs();
            int i = next.get(top);
            while (i < inputs.length && !isUnvisitedNode(inputs[i], mark)) i++;
            if (i < inputs.length) {
                next.set(top, i + 1);
                Tensor child = inputs[i];
                child.visitMark = mark;
                stack.add(child);
                next.add(0);
            } else {
                order.add(t);
                stack.remove(top);
                next.remove(top);
            }
        }
        return order;
    }

    private static boolean isUnvisitedNode(Tensor t, int mark) {
        return t != null && t.gradFn() != null && t.visitMark != mark;
    }

    /** Adds {@code grad} into t's gradient, copying where the buffer is not t's own to write. */
    private static void accumulate(Tensor t, Tensor grad) {
        if (!Arrays.equals(grad.shape(), t.shape())) {
            throw new IllegalStateException("gradient of shape " + Arrays.toString(grad.shape())
                    + " for a tensor of shape " + Arrays.toString(t.shape()) + " (bug in an op's backward)");
        }
        Tensor existing = t.grad();
        if (t.gradFn() == null) {
            // A leaf keeps its gradient across steps, so it owns a buffer allocated beside its data.
            if (existing == null) t.setGradInternal(grad.copyInto(t.newBesideThis()));
            else existing.addInPlace(grad);
        } else {
            // An intermediate's first gradient may alias another tensor: never write into it, but a sum
            // made here is this tensor's own, and later contributions go straight into it.
            if (existing == null) {
                t.setGradInternal(grad);
            } else if (t.gradOwned) {
                existing.addInPlace(grad);
            } else {
                t.setGradInternal(existing.add(grad));
                t.gradOwned = true;
            }
        }
    }
}
