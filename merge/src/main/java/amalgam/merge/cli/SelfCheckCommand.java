package amalgam.merge.cli;

import amalgam.engine.InputException;
import amalgam.kernels.Backend;
import amalgam.kernels.Backends;
import amalgam.kernels.FloatSegments;
import amalgam.kernels.Gemm;
import amalgam.kernels.Gemms;
import amalgam.kernels.WorkerPool;
import amalgam.kernels.cpu.MachinePeak;
import amalgam.kernels.cpu.VectorIsa;
import amalgam.kernels.ffm.NativeLibrary;
import amalgam.kernels.scalar.ScalarBackend;
import amalgam.kernels.scalar.ScalarGemm;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code amalgam selfcheck}: a short look at this machine — is every kernel implementation correct here
 * (compared with the scalar reference), and how fast is it next to the machine's peak and to OpenBLAS.
 * Timings are rough (best of a few runs); {@code amalgam bench} is the careful measurement.
 */
@Command(name = "selfcheck", mixinStandardHelpOptions = true,
        description = {
                "Check every kernel implementation against the scalar reference on awkward shapes, then time GEMM "
                        + "on this machine next to its measured FMA peak and OpenBLAS. Takes about half a minute. "
                        + "Exit code 1 when a check fails; 2 when the implementation asked for with --backend "
                        + "cannot run here (the reason is printed)."})
public final class SelfCheckCommand implements Callable<Integer> {

    @Option(names = "--threads", paramLabel = "N", description = "Threads to compute with (default: all cores).")
    int threads = WorkerPool.availableCores();

    @Option(names = "--backend", paramLabel = "NAME",
            description = "Check only this implementation: a backend (scalar, cpu, native, cuda) or GEMM (vector, "
                    + "openblas, …) by name. Unlike the default run, which skips what this machine lacks, an "
                    + "implementation asked for that cannot run here is an error.")
    String backend;

    /** Shapes that cross vector widths and block edges; m, n, k with op flags. */
    private static final int[][] CHECK_SHAPES = {
            {1, 1, 1, 0, 0}, {7, 33, 257, 0, 0}, {257, 7, 33, 1, 0}, {33, 257, 7, 0, 1}, {64, 96, 130, 1, 1},
    };

    @Override
    public Integer call() {
        try (WorkerPool pool = WorkerPool.of(threads)) {
            if (backend != null) requireAvailable(backend, pool);
            System.out.printf("amalgam selfcheck: %d threads, %s%n", threads, System.getProperty("os.arch"));
            System.out.printf("  vector kernels: %s%n", VectorIsa.CURRENT.describe());
            System.out.printf("  native library: %s%n", NativeLibrary.describe());
            boolean allCorrect = checkCorrectness(pool);
            printSpeed(pool);
            System.out.println(allCorrect ? "All kernels agree with the scalar reference."
                    : "Some kernels disagree with the scalar reference: see FAIL above.");
            return allCorrect ? 0 : 1;
        }
    }

    /**
     * Refuses, before any output, a --backend that is unknown or cannot run here (CUDA without a GPU, the C
     * library not built): the user asked for it, so skipping it and passing would hide the failure.
     */
    static void requireAvailable(String name, WorkerPool pool) {
        boolean gemm = Gemms.NAMES.contains(name), ops = Backends.NAMES.contains(name);
        if (!gemm && !ops) {
            throw new InputException("--backend", "unknown implementation '" + name + "' (choose from "
                    + String.join(", ", new LinkedHashSet<>(concat(Backends.NAMES, Gemms.NAMES))) + ")");
        }
        try {
            if (gemm) Gemms.create(name, pool);
            if (ops) Backends.create(name, pool);
        } catch (UnsupportedOperationException | IllegalStateException unavailable) {
            throw new InputException("--backend", name + " was asked for but cannot run here: "
                    + unavailable.getMessage());
        }
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private boolean selected(String name) {
        return backend == null || backend.equals(name);
    }

    private boolean checkCorrectness(WorkerPool pool) {
        System.out.println();
        System.out.println("Correctness (max relative error against the scalar reference)");
        boolean allCorrect = true;
        for (String name : Gemms.NAMES) {
            if (!selected(name)) continue;
            Gemm gemm;
            try {
                gemm = Gemms.create(name, pool);
            } catch (UnsupportedOperationException unavailable) {
                System.out.printf("  gemm %-10s  skipped: %s%n", name, unavailable.getMessage());
                continue;
            }
            double error = maxGemmError(gemm);
            boolean ok = error <= 1e-4;
            allCorrect &= ok;
            System.out.printf("  gemm %-10s  %-4s  %.1e over %d shapes, all transposes%n",
                    name, ok ? "ok" : "FAIL", error, CHECK_SHAPES.length);
        }
        for (String name : Backends.NAMES) {
            if (name.equals("scalar") || !selected(name)) continue;
            Backend ops;
            try {
                ops = Backends.create(name, pool);
            } catch (UnsupportedOperationException unavailable) {
                System.out.printf("  ops  %-10s  skipped: %s%n", name, unavailable.getMessage());
                continue;
            }
            Map<String, Double> errors = OperationCheck.maxErrors(ops, new ScalarBackend());
            double worst = errors.values().stream().mapToDouble(Double::doubleValue).max().orElse(0);
            boolean ok = worst <= 1e-5;
            allCorrect &= ok;
            System.out.printf("  ops  %-10s  %-4s  %.1e over %s%n", name, ok ? "ok" : "FAIL", worst,
                    String.join(", ", errors.keySet()));
        }
        return allCorrect;
    }

    private static double maxGemmError(Gemm gemm) {
        Gemm reference = new ScalarGemm();
        double worst = 0;
        SplittableRandom random = new SplittableRandom(42);
        try (Arena arena = Arena.ofShared()) {
            for (int[] shape : CHECK_SHAPES) {
                int m = shape[0], n = shape[1], k = shape[2];
                boolean ta = shape[3] == 1, tb = shape[4] == 1;
                MemorySegment a = random(arena, (long) m * k, random);
                MemorySegment b = random(arena, (long) k * n, random);
                MemorySegment expected = random(arena, (long) m * n, random);
                MemorySegment actual = FloatSegments.allocate(arena, (long) m * n);
                actual.copyFrom(expected);
                int lda = ta ? m : k, ldb = tb ? k : n;
                reference.gemm(ta, tb, m, n, k, 0.5f, a, 0, lda, b, 0, ldb, -1f, expected, 0, n);
                gemm.gemm(ta, tb, m, n, k, 0.5f, a, 0, lda, b, 0, ldb, -1f, actual, 0, n);
                for (long i = 0; i < (long) m * n; i++) {
                    double e = FloatSegments.get(expected, i), x = FloatSegments.get(actual, i);
                    worst = Math.max(worst, Math.abs(e - x) / Math.max(1.0, Math.abs(e)) / Math.sqrt(k));
                }
            }
        }
        return worst;
    }

    private void printSpeed(WorkerPool pool) {
        System.out.println();
        System.out.println("Speed (best of a few runs; `amalgam bench` measures carefully)");
        double peak = MachinePeak.fmaGflops(pool, 20_000_000);
        double copy = MachinePeak.copyGBs(256L << 20, 5);
        System.out.printf("  machine: FMA peak %.0f GFLOP/s on %d threads (Vector API), memory copy %.1f GB/s%n",
                peak, threads, copy);
        for (int n : new int[] {256, 1024}) {
            Map<String, Double> gflops = new LinkedHashMap<>();
            for (String name : Gemms.NAMES) {
                if (name.equals("scalar") && n > 256) continue;
                try {
                    gflops.put(name, gemmGflops(Gemms.create(name, pool), n));
                } catch (UnsupportedOperationException unavailable) {
                    // already reported under correctness
                }
            }
            Double peer = gflops.get("openblas");
            List<String> cells = new ArrayList<>();
            gflops.forEach((name, value) -> cells.add(String.format("%s %.1f%s", name, value,
                    peer != null && !name.equals("openblas") ? String.format(" (%.0f%% of openblas)", 100 * value / peer) : "")));
            System.out.printf("  gemm n=%-5d GFLOP/s: %s; peak %.0f%n", n, String.join(", ", cells), peak);
        }
    }

    private static double gemmGflops(Gemm gemm, int n) {
        if (n > 64) gemmGflops(gemm, 64); // small products reach the JIT's thresholds in a fraction of the time
        try (Arena arena = Arena.ofShared()) {
            SplittableRandom random = new SplittableRandom(7);
            MemorySegment a = random(arena, (long) n * n, random);
            MemorySegment b = random(arena, (long) n * n, random);
            MemorySegment c = FloatSegments.allocate(arena, (long) n * n);
            long best = Long.MAX_VALUE;
            // Vector API code runs ~100× slower until C2 has compiled it: keep going for a second and a
            // half so small products get there, and take the best run.
            long deadline = System.nanoTime() + 1_500_000_000L;
            for (int r = 0; r < 3 || System.nanoTime() < deadline; r++) {
                long start = System.nanoTime();
                gemm.gemm(false, false, n, n, n, 1f, a, 0, n, b, 0, n, 0f, c, 0, n);
                best = Math.min(best, System.nanoTime() - start);
            }
            return 2.0 * n * n * n / best;
        }
    }

    private static MemorySegment random(Arena arena, long count, SplittableRandom random) {
        MemorySegment segment = FloatSegments.allocate(arena, count);
        for (long i = 0; i < count; i++) FloatSegments.set(segment, i, (float) (random.nextDouble() * 2 - 1));
        return segment;
    }
}
