package amalgam.kernels.cuda;

/**
 * One kernel entry point: the PTX module (file {@code amalgam/cuda/<module>.ptx}, built from
 * {@code native/cuda/<module>.cu}) and the {@code extern "C"} name inside it.
 */
public record KernelRef(String module, String entry) {

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
