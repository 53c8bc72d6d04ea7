package amalgam.kernels.cuda;

/**
 * One kernel entry point: the PTX module (file {@code amalgam/cuda/<module>.ptx}, built from
 * {@code native/cuda/<module>.cu}), the {@code extern "C"} name inside it, and its parameter list in
 * {@link KernelArgs}' notation ({@code i32 i64 f32 ptr}, {@code i64xN} for a struct of N 64-bit fields).
 * Launches are checked against the signature, and a CPU test checks the signature against the PTX.
 */
public record KernelRef(String module, String entry, String signature) {

    /** Class-path resource holding the module's PTX. */
    public String resource() {
        return resourceOf(module);
    }

    public static String resourceOf(String module) {
        return "/amalgam/cuda/" + module + ".ptx";
    }

    @Override
    public String toString() {
        return entry + " (" + module + ".ptx)";
    }
}
