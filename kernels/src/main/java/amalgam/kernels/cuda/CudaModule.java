package amalgam.kernels.cuda;

import jcuda.CudaException;
import jcuda.Pointer;
import jcuda.driver.CUfunction;
import jcuda.driver.CUjit_option;
import jcuda.driver.CUmodule;
import jcuda.driver.JITOptions;
import jcuda.driver.JCudaDriver;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;

/**
 * One kernel module loaded into the current context, with its functions looked up once and kept. On a device
 * the build made SASS for (sm_90) the cubin is loaded as is; elsewhere, or when the cubin will not load, the
 * PTX, which the driver JIT-compiles. Either way a failure carries the driver's JIT log. Used under the
 * context's lock only.
 */
final class CudaModule {

    private final String name;
    private final CUmodule module;
    private final Map<String, CUfunction> functions = new HashMap<>();

    private CudaModule(String name, CUmodule module) {
        this.name = name;
        this.module = module;
    }

    /** Loads module {@code name} for a device of compute capability major.minor. */
    static CudaModule load(String name, int major, int minor) {
        String sass = KernelRef.sassResourceOf(name, major, minor);
        byte[] cubin = readResource(sass);
        String sassFailure = null;
        if (cubin != null) {
            try {
                return new CudaModule(name, loadImage(sass, cubin));
            } catch (CudaFailure e) {
                sassFailure = e.getMessage();
            }
        }
        try {
            return new CudaModule(name, loadImage(KernelRef.resourceOf(name), readPtx(name)));
        } catch (CudaFailure e) {
            if (sassFailure == null) throw e;
            throw new CudaFailure(e.getMessage() + "; before that, " + sassFailure, e);
        }
    }

    /** cuModuleLoadDataEx with both JIT log buffers, so a refusal says why. */
    private static CUmodule loadImage(String resource, byte[] image) {
        JITOptions options = new JITOptions();
        options.putBytes(CUjit_option.CU_JIT_ERROR_LOG_BUFFER, new byte[JitLog.BYTES]);
        options.putInt(CUjit_option.CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES, JitLog.BYTES);
        options.putBytes(CUjit_option.CU_JIT_INFO_LOG_BUFFER, new byte[JitLog.BYTES]);
        options.putInt(CUjit_option.CU_JIT_INFO_LOG_BUFFER_SIZE_BYTES, JitLog.BYTES);
        CUmodule module = new CUmodule();
        try {
            JCudaDriver.cuModuleLoadDataJIT(module, Pointer.to(image), options);
            return module;
        } catch (CudaException e) {
            // JCuda copies the logs back into the options before it raises the error.
            throw new CudaFailure(JitLog.failure(resource, e.getMessage(),
                    options.getBytes(CUjit_option.CU_JIT_ERROR_LOG_BUFFER),
                    options.getBytes(CUjit_option.CU_JIT_INFO_LOG_BUFFER)), e);
        }
    }

    /** The module's PTX text, NUL-terminated as the driver expects of a text image. */
    static byte[] readPtx(String name) {
        String resource = KernelRef.resourceOf(name);
        byte[] text = readResource(resource);
        if (text == null) throw new CudaFailure("CUDA module " + resource + " is not on the class path");
        byte[] terminated = new byte[text.length + 1];
        System.arraycopy(text, 0, terminated, 0, text.length);
        return terminated;
    }

    /** A class-path resource's bytes, or null when it is absent. */
    static byte[] readResource(String resource) {
        try (InputStream in = CudaModule.class.getResourceAsStream(resource)) {
            return in == null ? null : in.readAllBytes();
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
