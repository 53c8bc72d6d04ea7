package amalgam.bench;

import amalgam.kernels.FloatSegments;
import amalgam.kernels.Gemm;
import amalgam.kernels.Gemms;
import amalgam.kernels.WorkerPool;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Square SGEMM C = A·B (n×n, fp32, row-major) per implementation: how close our kernels come to OpenBLAS.
 * Work per operation: 2·n³ floating-point operations.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class GemmBench {

    @Param({"scalar", "vector", "native", "openblas", "cuda"})
    public String impl;

    @Param({"64", "256", "1024", "2048"})
    public int n;

    @Param({"1", "2"})
    public int threads;

    private Arena arena;
    private WorkerPool pool;
    private Gemm gemm;
    private MemorySegment a, b, c;

    @Setup(Level.Trial)
    public void setUp() {
        if (impl.equals("scalar") && n > 1024) {
            throw new IllegalStateException("scalar is not measured above n=1024: one product would take minutes");
        }
        arena = Arena.ofShared();
        pool = WorkerPool.of(threads);
        gemm = Gemms.create(impl, pool);
        a = BenchOperands.uniform(arena, (long) n * n, 1);
        b = BenchOperands.uniform(arena, (long) n * n, 2);
        c = FloatSegments.allocate(arena, (long) n * n);
    }

    @Benchmark
    public MemorySegment multiply() {
        gemm.gemm(false, false, n, n, n, 1f, a, 0, n, b, 0, n, 0f, c, 0, n);
        return c;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        BenchOperands.closeIfCloseable(gemm);
        pool.close();
        arena.close();
    }

    /** Floating-point operations of one {@link #multiply()} call. */
    static double flopsPerOp(int n) {
        return 2.0 * n * n * n;
    }
}
