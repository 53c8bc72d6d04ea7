package amalgam.kernels.cuda;

/**
 * One kernel entry point: the module (file {@code amalgam/cuda/<module>.ptx}, and the sm_90 SASS
 * {@code amalgam/cuda/sm_90/<module>.cubin}, built from {@code native/cuda/<module>.cu}), the {@code extern "C"} name inside it, and its parameter list in
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

    /**
     * Class-path resource holding the module's SASS for compute capability major.minor (built for sm_90 only);
     * SASS runs on exactly that architecture, so any other device loads the PTX.
     */
    public static String sassResourceOf(String module, int major, int minor) {
        return "/amalgam/cuda/sm_" + major + minor + "/" + module + ".cubin";
    }

    @Override
    public String toString() {
        return entry + " (" + module + ".ptx)";
    }
}
