package amalgam.kernels.cuda;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A failed module load names the image, the driver's error and what the JIT logged (no GPU needed). */
class JitLogTest {

    private static byte[] buffer(String text) {
        byte[] buffer = new byte[JitLog.BYTES];
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(bytes, 0, buffer, 0, bytes.length);
        return buffer;
    }

    @Test
    void theLogIsTheTextUpToTheNulOnOneLine() {
        assertEquals("ptxas application ptx input, line 12; error: Unknown target", JitLog.text(
                buffer("ptxas application ptx input, line 12\n\nerror: Unknown target\n")));
        assertEquals("", JitLog.text(new byte[16]));
        assertEquals("", JitLog.text(null));
    }

    @Test
    void theFailureCarriesBothLogs() {
        assertEquals("could not load CUDA module /amalgam/cuda/sgemm.ptx: CUDA_ERROR_UNSUPPORTED_PTX_VERSION; "
                        + "JIT error log: ptxas fatal: Unsupported .version 9.0; current version is '8.4'; "
                        + "JIT info log: ptxas info: 0 bytes gmem",
                JitLog.failure("/amalgam/cuda/sgemm.ptx", "CUDA_ERROR_UNSUPPORTED_PTX_VERSION",
                        buffer("ptxas fatal: Unsupported .version 9.0; current version is '8.4'"),
                        buffer("ptxas info: 0 bytes gmem")));
        assertEquals("could not load CUDA module m.ptx: CUDA_ERROR_INVALID_IMAGE (the driver left no JIT log)",
                JitLog.failure("m.ptx", "CUDA_ERROR_INVALID_IMAGE", new byte[8], null));
    }

    @Test
    void sassLivesBesideThePtxPerArchitecture() {
        assertEquals("/amalgam/cuda/sm_90/sgemm.cubin", KernelRef.sassResourceOf("sgemm", 9, 0));
        assertEquals("/amalgam/cuda/sm_80/sgemm.cubin", KernelRef.sassResourceOf("sgemm", 8, 0));
    }
}
