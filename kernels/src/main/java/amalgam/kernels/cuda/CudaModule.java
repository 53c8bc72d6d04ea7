package amalgam.kernels.cuda;

import jcuda.CudaException;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.JCudaDriver;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;

/**
 * One PTX module loaded into the current context (the driver JIT-compiles it for the GPU at hand), with its
 * functions looked up once and kept. Used under the context's lock only.
 */
final class CudaModule {

    private final String name;
    private final CUmodule module = new CUmodule();
    private final Map<String, CUfunction> functions = new HashMap<>();

    private CudaModule(String name, byte[] ptx) {
        this.name = name;
        try {
            JCudaDriver.cuModuleLoadData(module, ptx);
        } catch (CudaException e) {
            throw new CudaFailure("could not load CUDA module " + KernelRef.resourceOf(name) + ": " + e.getMessage(), e);
        }
    }

    static CudaModule load(String name) {
        return new CudaModule(name, readPtx(name));
    }

    /** The module's PTX text, NUL-terminated as cuModuleLoadData expects of a text image. */
    static byte[] readPtx(String name) {
        String resource = KernelRef.resourceOf(name);
        try (InputStream in = CudaModule.class.getResourceAsStream(resource)) {
            if (in == null) throw new CudaFailure("CUDA module " + resource + " is not on the class path");
            byte[] text = in.readAllBytes();
            byte[] terminated = new byte[text.length + 1];
            System.arraycopy(text, 0, terminated, 0, text.length);
            return terminated;
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + resource, e);
        }
    }

    CUfunction function(KernelRef kernel) {
        return functions.computeIfAbsent(kernel.entry(), entry -> {
            CUfunction function = new CUfunction();
            try {
                JCudaDriver.cuModuleGetFunction(function, module, entry);
            } catch (CudaException e) {
                throw new CudaFailure("CUDA kernel " + kernel + " not found in module " + name + ": " + e.getMessage(), e);
            }
            return function;
        });
    }
}
