package amalgam.kernels.cuda;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Runs every CUDA kernel on the CPU (native/cuda/emulation: each CUDA thread an OS thread, barriers and warp
 * collectives emulated, tensor-core mma from the PTX fragment layout) against plain loops. It checks the
 * kernels' arithmetic and indexing where there is no GPU; it takes tens of seconds with g++, so it runs only
 * when asked: {@code -Damalgam.emulateCuda=true}.
 */
class KernelsOnHostTest {

    @Test
    void everyKernelComputesCorrectlyOnTheCpu() throws IOException, InterruptedException {
        assumeTrue(Boolean.getBoolean("amalgam.emulateCuda"),
                "CUDA emulation on the CPU takes ~30 s; run with -Damalgam.emulateCuda=true");
        Path script = Path.of("..", "native", "cuda", "emulation", "run.sh");
        assumeTrue(Files.isExecutable(script), script.toAbsolutePath() + " not found");
        assumeTrue(gxxAvailable(), "g++ (C++20) is needed to build the emulation");
        Process process = new ProcessBuilder(script.toString(), Path.of("target", "cuda-emulation").toAbsolutePath().toString())
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(5, TimeUnit.MINUTES), "emulation did not finish:\n" + output);
        assertEquals(0, process.exitValue(), output);
        assertTrue(output.contains("ALL PASSED"), output);
    }

    private static boolean gxxAvailable() {
        try {
            Process probe = new ProcessBuilder("g++", "--version").redirectErrorStream(true).start();
            probe.getInputStream().readAllBytes();
            return probe.waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }
}
