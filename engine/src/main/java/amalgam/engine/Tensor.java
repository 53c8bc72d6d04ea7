package amalgam.engine;

import amalgam.engine.ops.Arithmetic;
import amalgam.engine.ops.Compute;
import amalgam.engine.ops.Joins;
import amalgam.engine.ops.MatMul;
import amalgam.engine.ops.Pointwise;
import amalgam.engine.ops.Reductions;
import amalgam.engine.ops.Softmax;
import amalgam.engine.ops.Views;
import amalgam.kernels.Backend;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Random;

/**
 * An n-dimensional array in off-heap memory with reverse-mode autodiff.
 *
 * <p>Data: {@code shape}, {@code strides} and {@code offset} (in elements) over a storage segment of
 * {@link DType} elements; views (reshape of contiguous data, transpose/permute, slice) share storage without
 * copying. Storage comes from the innermost open {@link Step} when there is one, otherwise it is managed by
 * the garbage collector (parameters, optimiser state).
 *
 * <p>Autograd: a tensor produced by an op on inputs that require gradients remembers that op (its
 * {@link Function}); {@link #backward()} walks those back and leaves gradients in the leaves' {@link #grad()}.
 *
 * <p>Methods return new tensors unless their name says InPlace. Arrays returned by {@link #shape()} and
 * {@link #strides()} are the tensor's own: read them, never write them.
 */
public final class Tensor {

    private final int[] shape;
    private final long[] strides;
    private final long offset;
    private final DType dtype;
    private final MemorySegment storage;
    private final Device device;
    private final Step home; // null: storage is collected with the tensor

    private boolean requiresGrad;
    private Tensor grad;
    private Function gradFn;
    int visitMark; // used by Autograd's topological sort
    boolean gradOwned; // Autograd allocated this intermediate's gradient itself, so may add into it

    private Tensor(int[] shape, long[] strides, long offset, DType dtype, MemorySegment storage, Step home) {
        this.shape = shape;
        this.strides = strides;
        this.offset = offset;
        this.dtype = dtype;
        this.storage = storage;
        this.device = Device.CPU;
        this.home = home;
    }

    // ---- creation ----------------------------------------------------------------------------------------

    /** A contiguous tensor whose elements are unspecified (they are whatever the step's memory held). */
    public static Tensor empty(DType dtype, int... shape) {
        Step step = Context.current().step;
        return allocate(dtype, shape.clone(), step);
    }

    private static Tensor allocate(DType dtype, int[] shape, Step home) {
        for (int d : shape) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
        }
        long bytes = Math.max(1, Shapes.numel(shape)) * dtype.bytes();
        MemorySegment storage = home != null ? home.allocate(bytes)
                // One automatic arena per tensor, so each block is freed as soon as its tensor is unreachable.
                : Arena.ofAuto().allocate(bytes, 64);
        return new Tensor(shape, Shapes.contiguousStrides(shape), 0, dtype, storage, home);
    }

    public static Tensor zeros(DType dtype, int... shape) {
        return full(dtype, 0.0, shape);
    }

    public static Tensor ones(DType dtype, int... shape) {
        return full(dtype, 1.0, shape);
    }

    public static Tensor full(DType dtype, double value, int... shape) {
        Tensor t = empty(dtype, shape);
        if (dtype == DType.F32 || value == (float) value) {
            t.backend().fill(t.numel(), (float) value, t.storage, 0);
        } else {
            for (long i = 0; i < t.numel(); i++) dtype.precision().set(t.storage, i, value); // fill takes a float
        }
        return t;
    }

    /** A tensor holding {@code values} (row-major) in the given dtype. */
    public static Tensor of(DType dtype, double[] values, int... shape) {
        Tensor t = empty(dtype, shape);
        if (values.length != t.numel()) {
            throw new IllegalArgumentException(values.length + " values do not fill shape " + Arrays.toString(shape));
        }
        for (int i = 0; i < values.length; i++) dtype.precision().set(t.storage, i, values[i]);
        return t;
    }

    /** An F32 tensor holding {@code values} (row-major). */
    public static Tensor of(float[] values, int... shape) {
        Tensor t = empty(DType.F32, shape);
        if (values.length != t.numel()) {
            throw new IllegalArgumentException(values.length + " values do not fill shape " + Arrays.toString(shape));
        }
        MemorySegment.copy(values, 0, t.storage, amalgam.kernels.FloatSegments.FLOAT, 0, values.length);
        return t;
    }

    public static Tensor scalar(DType dtype, double value) {
        return of(dtype, new double[] {value});
    }

    /** Standard normal samples (the JDK's generator; there is no random-number kernel). */
    public static Tensor randn(DType dtype, Random random, int... shape) {
        Tensor t = empty(dtype, shape);
        for (long i = 0; i < t.numel(); i++) dtype.precision().set(t.storage, i, random.nextGaussian());
        return t;
    }

    /** Uniform samples in [low, high). */
    public static Tensor rand(DType dtype, Random random, double low, double high, int... shape) {
        Tensor t = empty(dtype, shape);
        for (long i = 0; i < t.numel(); i++) {
            dtype.precision().set(t.storage, i, low + (high - low) * random.nextDouble());
        }
        return t;
    }

    /**
     * A contiguous tensor over existing memory (a memory-mapped weight file, a kernel's output), without
     * copying. The caller's arena owns the memory and must outlive the tensor; it must be shared (or
     * global, or automatic) when the kernels run on several threads, since confined memory is one thread's.
     */
    public static Tensor wrap(DType dtype, MemorySegment segment, int... shape) {
        long needed = Shapes.numel(shape) * dtype.bytes();
        if (segment.byteSize() < needed) {
            throw new IllegalArgumentException("a segment of " + segment.byteSize() + " bytes cannot hold "
                    + Arrays.toString(shape) + " " + dtype + " (" + needed + " bytes)");
        }
        return new Tensor(shape.clone(), Shapes.contiguousStrides(shape), 0, dtype, segment, null);
    }

    /** A view of this tensor's storage with another geometry: the primitive under reshape/permute/slice. */
    public Tensor view(int[] shape, long[] strides, long offset) {
        return new Tensor(shape, strides, offset, dtype, data(), home);
    }

    /**
     * This tensor if its storage outlives every step, else a copy (without history) that does: what
     * parameters and optimiser state are made of, wherever they were created.
     */
    public Tensor toPersistent() {
        if (home == null) return this;
        Tensor copy = allocate(dtype, shape.clone(), null);
        copyInto(copy);
        return copy;
    }

    /** A new contiguous tensor of this shape and dtype that lives as long as this one's storage does. */
    Tensor newBesideThis() {
        return allocate(dtype, shape.clone(), home);
    }

    // ---- geometry and data -------------------------------------------------------------------------------

    public int[] shape() {
        return shape;
    }

    public long[] strides() {
        return strides;
    }

    public long offset() {
        return offset;
    }

    public int rank() {
        return shape.length;
    }

    /** Size of axis {@code axis}; negative counts from the end. */
    public int dim(int axis) {
        return shape[Shapes.axis(axis, shape.length)];
    }

    public long numel() {
        return Shapes.numel(shape);
    }

    public DType dtype() {
        return dtype;
    }

    public Device device() {
        return device;
    }

    /** The kernels that compute on this tensor (chosen by dtype in {@link Engine}). */
    public Backend backend() {
        return Engine.backend(dtype);
    }

    /** The storage segment; fails if the step that owned it has closed (its memory now belongs to others). */
    public MemorySegment data() {
        if (home != null && home.isClosed()) {
            throw new IllegalStateException("tensor " + Arrays.toString(shape) + " was created in a step that has "
                    + "closed; create it outside the step, or copy what you need before the step ends");
        }
        return storage;
    }

    /** Whether the elements lie in row-major order with no gaps (axes of size 1 may have any stride). */
    public boolean isContiguous() {
        long expected = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] != 1 && strides[i] != expected) return false;
            expected *= shape[i];
        }
        return true;
    }

    /** Element at the given indices, as a double. */
    public double get(int... index) {
        if (index.length != shape.length) {
            throw new IllegalArgumentException(index.length + " indices for a tensor of rank " + shape.length);
        }
        long at = offset;
        for (int i = 0; i < index.length; i++) {
            if (index[i] < 0 || index[i] >= shape[i]) {
                throw new IndexOutOfBoundsException("index " + Arrays.toString(index) + " outside " + Arrays.toString(shape));
            }
            at += index[i] * strides[i];
        }
        return dtype.precision().get(data(), at);
    }

    /** The single element of a one-element tensor (a loss). */
    public double item() {
        if (numel() != 1) throw new IllegalStateException("item() on a tensor of shape " + Arrays.toString(shape));
        return dtype.precision().get(data(), offset);
    }

    /** All elements in row-major order. */
    public double[] toDoubleArray() {
        Tensor c = Compute.contiguous(this);
        return dtype.precision().toArray(c.data(), c.offset, Math.toIntExact(numel()));
    }

    public float[] toFloatArray() {
        double[] d = toDoubleArray();
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
        return f;
    }

    /** Copies this tensor's elements (any layout) into the contiguous tensor {@code dst}; returns dst. */
    public Tensor copyInto(Tensor dst) {
        if (!Arrays.equals(shape, dst.shape) || !dst.isContiguous() || dst.dtype != dtype) {
            throw new IllegalArgumentException("copy of " + Arrays.toString(shape) + " into " + Arrays.toString(dst.shape));
        }
        backend().copyStrided(shape, data(), offset, strides, dst.data(), dst.offset);
        return dst;
    }

    /** Adds {@code other} (broadcast to this shape) into this contiguous tensor, outside the graph. */
    public Tensor addInPlace(Tensor other) {
        Compute.binaryInto(amalgam.kernels.BinaryOp.ADD, this, other, this);
        return this;
    }

    // ---- autograd ----------------------------------------------------------------------------------------

    public boolean requiresGrad() {
        return requiresGrad;
    }

    /** Marks a leaf as a variable to differentiate with respect to; returns this. */
    public Tensor requiresGrad(boolean value) {
        if (gradFn != null) throw new IllegalStateException("requiresGrad can only be set on leaf tensors");
        requiresGrad = value;
        return this;
    }

    /** The accumulated gradient of a leaf (null before the first backward pass reaches it). */
    public Tensor grad() {
        return grad;
    }

    /** Sets the gradient to zero, keeping its buffer so the next step allocates nothing. */
    public void zeroGrad() {
        if (grad != null) grad.backend().fill(grad.numel(), 0f, grad.data(), grad.offset);
    }

    /** Drops the gradient buffer. */
    public void clearGrad() {
        grad = null;
    }

    /** The op that produced this tensor, or null for leaves and tensors computed without a graph. */
    public Function gradFn() {
        return gradFn;
    }

    void setGradFn(Function fn) {
        gradFn = fn;
        if (fn != null) requiresGrad = true;
    }

    void setGradInternal(Tensor g) {
        grad = g;
        gradOwned = false;
    }

    /** This tensor's data as a new leaf with no history (shares storage). */
    public Tensor detach() {
        return new Tensor(shape, strides, offset, dtype, data(), home);
    }

    /** Back-propagates from this single-element tensor (a loss). */
    public void backward() {
        Autograd.backward(this, null);
    }

    /** Back-propagates with {@code gradient} as the gradient of this tensor. */
    public void backward(Tensor gradient) {
        Autograd.backward(this, gradient);
    }

    // ---- differentiable ops (each defined in amalgam.engine.ops) -----------------------------------------

    public Tensor add(Tensor other) { return Arithmetic.add(this, other); }
    public Tensor sub(Tensor other) { return Arithmetic.sub(this, other); }
    public Tensor mul(Tensor other) { return Arithmetic.mul(this, other); }
    public Tensor div(Tensor other) { return Arithmetic.div(this, other); }
    public Tensor neg() { return Arithmetic.affine(this, -1, 0); }
    public Tensor add(double c) { return Arithmetic.affine(this, 1, c); }
    public Tensor sub(double c) { return Arithmetic.affine(this, 1, -c); }
    public Tensor mul(double c) { return Arithmetic.affine(this, c, 0); }
    public Tensor div(double c) { return Arithmetic.affine(this, 1 / c, 0); }

    public Tensor matmul(Tensor other) { return MatMul.matmul(this, other); }

    public Tensor exp() { return Pointwise.exp(this); }
    public Tensor log() { return Pointwise.log(this); }
    public Tensor sqrt() { return Pointwise.sqrt(this); }
    public Tensor square() { return Pointwise.square(this); }
    public Tensor tanh() { return Pointwise.tanh(this); }
    public Tensor sigmoid() { return Pointwise.sigmoid(this); }
    public Tensor relu() { return Pointwise.relu(this); }
    public Tensor silu() { return Pointwise.silu(this); }
    /** GELU with the exact erf (PyTorch's default). */
    public Tensor gelu() { return Pointwise.gelu(this); }
    /** GELU's tanh approximation (PyTorch's {@code approximate="tanh"}). */
    public Tensor geluTanh() { return Pointwise.geluTanh(this); }

    public Tensor softmax(int axis) { return Softmax.softmax(this, axis); }
    public Tensor logSoftmax(int axis) { return Softmax.logSoftmax(this, axis); }

    /** Sum of all elements, a tensor of shape []. */
    public Tensor sum() { return Reductions.sum(this, allAxes(), false); }
    public Tensor sum(int axis, boolean keepDim) { return Reductions.sum(this, new int[] {axis}, keepDim); }
    public Tensor sum(int[] axes, boolean keepDim) { return Reductions.sum(this, axes, keepDim); }
    public Tensor mean() { return Reductions.mean(this, allAxes(), false); }
    public Tensor mean(int axis, boolean keepDim) { return Reductions.mean(this, new int[] {axis}, keepDim); }
    public Tensor mean(int[] axes, boolean keepDim) { return Reductions.mean(this, axes, keepDim); }
    /** Maximum along an axis; tied maxima share the gradient equally. */
    public Tensor max(int axis, boolean keepDim) { return Reductions.max(this, axis, keepDim); }
    /** Sums broadcast axes away so the result has {@code target} shape (the adjoint of {@link #expand}). */
    public Tensor sumTo(int... target) { return Reductions.sumTo(this, target); }
    /** Materialises this tensor broadcast to {@code target} shape. */
    public Tensor expand(int... target) { return Reductions.expand(this, target); }

    /** Same elements in another shape; one dimension may be −1. A view when the data is contiguous. */
    public Tensor reshape(int... newShape) { return Views.reshape(this, newShape); }
    public Tensor flatten() { return Views.reshape(this, (int) numel()); }
    public Tensor permute(int... order) { return Views.permute(this, order); }
    public Tensor transpose(int a, int b) { return Views.transpose(this, a, b); }
    /** Swaps the last two axes (the matrix transpose of each batch element). */
    public Tensor mT() { return Views.transpose(this, -2, -1); }
    /** Elements [start, end) along an axis, as a view. */
    public Tensor slice(int axis, int start, int end) { return Views.slice(this, axis, start, end); }
    /** This tensor if contiguous, else a contiguous copy. */
    public Tensor contiguous() { return Views.contiguous(this); }
    /** The entries at {@code indices} along {@code axis} (repeats allowed). */
    public Tensor indexSelect(int axis, int[] indices) { return Joins.indexSelect(this, axis, indices); }

    private int[] allAxes() {
        int[] axes = new int[shape.length];
        for (int i = 0; i < axes.length; i++) axes[i] = i;
        return axes;
    }

    @Override
    public String toString() {
        return "Tensor" + Arrays.toString(shape) + " " + dtype + (gradFn != null ? " grad_fn=" + gradFn : "")
                + (requiresGrad && gradFn == null ? " requires_grad" : "");
    }
}
