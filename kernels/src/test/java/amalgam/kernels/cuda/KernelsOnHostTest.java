package amalgam.kernels.cuda;

import amalgam.kernels.CounterRandom;
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
        Path build = Path.of("target", "cuda-emulation").toAbsolutePath();
        Files.createDirectories(build);
        Path masks = writeKeepMaskCases(build.resolve("keep-mask-cases.txt"));
        ProcessBuilder builder = new ProcessBuilder(script.toString(), build.toString()).redirectErrorStream(true);
        builder.environment().put("AMALGAM_KEEP_MASK_CASES", masks.toString());
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(5, TimeUnit.MINUTES), "emulation did not finish:\n" + output);
        assertEquals(0, process.exitValue(), output);
        assertTrue(output.contains("ALL PASSED"), output);
        assertTrue(output.contains("PASS dare_keep_mask = Java KeepMask.seeded, 36 cases"), output);
    }

    /**
     * The DARE masks the CPU draws ({@link CounterRandom#keeps}, which KeepMask.seeded is), for the emulated
     * kernel to reproduce bit for bit: seeds, module streams and adapters, one line each.
     */
    private static Path writeKeepMaskCases(Path file) throws IOException {
        StringBuilder cases = new StringBuilder();
        int n = 1000, line = 0;
        for (long seed : new long[] {0L, 42L, 0x1234_5678_9abcL, -7L}) {
            for (long stream : new long[] {0L, 1L, 77L}) {
                for (int adapter : new int[] {0, 1, 5}) {
                    double probability = new double[] {0.1, 0.3, 0.5, 0.9}[line++ % 4];
                    cases.append(seed).append(' ').append(stream).append(' ').append(adapter).append(' ')
                            .append(probability).append(' ').append(n).append(' ');
                    for (int i = 0; i < n; i++) cases.append(CounterRandom.keeps(seed, stream, adapter, i, probability) ? '1' : '0');
                    cases.append('\n');
                }
            }
        }
        return Files.writeString(file, cases);
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
