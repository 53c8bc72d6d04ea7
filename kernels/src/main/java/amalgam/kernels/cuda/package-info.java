/**
 * The CUDA backend: our own kernels (native/cuda, compiled to PTX by nvcc during the build) launched through
 * JCuda's driver API. {@link amalgam.kernels.cuda.CudaContext#isAvailable()} says whether this machine can run
 * them; every other class assumes it can. For now every operation takes host segments, copies them to the
 * device, launches, and copies the result back; device-resident tensors build on the same pieces.
 */
package amalgam.kernels.cuda;
