package amalgam.kernels.cuda;

import jcuda.NativePointerObject;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;

import java.util.ArrayList;
import java.util.List;

/**
 * A kernel's parameter list, built in the order of the kernel's C signature. Each value must have exactly
 * the C type's width: {@code int} → {@link #i32}, {@code long long} → {@link #i64}, {@code float} →
 * {@link #f32}, {@code double} → {@link #f64}, pointers → {@link #ptr}, and a struct of {@code long long} fields → {@link #i64s}.
 */
public final class KernelArgs {

    private final List<NativePointerObject> values = new ArrayList<>();
    private final List<String> kinds = new ArrayList<>();

    public static KernelArgs of() {
        return new KernelArgs();
    }

    public KernelArgs i32(int value) {
        values.add(Pointer.to(new int[] {value}));
        kinds.add("i32");
        return this;
    }

    public KernelArgs i64(long value) {
        values.add(Pointer.to(new long[] {value}));
        kinds.add("i64");
        return this;
    }

    public KernelArgs f32(float value) {
        values.add(Pointer.to(new float[] {value}));
        kinds.add("f32");
        return this;
    }

    public KernelArgs f64(double value) {
        values.add(Pointer.to(new double[] {value}));
        kinds.add("f64");
        return this;
    }

    /** A device pointer; null passes a null pointer (kernels read it as "absent"). */
    public KernelArgs ptr(CUdeviceptr pointer) {
        values.add(Pointer.to(pointer == null ? new CUdeviceptr() : pointer));
        kinds.add("ptr");
        return this;
    }

    /** A struct passed by value whose fields are all 64-bit integers. */
    public KernelArgs i64s(long[] fields) {
        values.add(Pointer.to(fields.clone()));
        kinds.add("i64x" + fields.length);
        return this;
    }

    /** The kinds given so far, in {@link KernelRef#signature()} notation. */
    public String signature() {
        return String.join(" ", kinds);
    }

    Pointer pointer() {
        return Pointer.to(values.toArray(NativePointerObject[]::new));
    }
}
