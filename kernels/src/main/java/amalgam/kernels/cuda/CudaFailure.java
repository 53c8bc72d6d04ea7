package amalgam.kernels.cuda;

/** A CUDA call or kernel failed; the message names the kernel (or the driver call) and the driver's error. */
public final class CudaFailure extends RuntimeException {

    public CudaFailure(String message, Throwable cause) {
        super(message, cause);
    }

    public CudaFailure(String message) {
        super(message);
    }
}
