package amalgam.bench;

import amalgam.kernels.FloatSegments;
import amalgam.kernels.Gemm;
import amalgam.kernels.Gemms;
import amalgam.kernels.WorkerPool;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Map;
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
 * A vector times a weight matrix, from either side and in either layout, with W 4096×4096 fp32 (64 MiB, beyond
 * the caches): memory-bound, so the rate reported is the bytes of W streamed per second, to be held against the
 * machine's copy bandwidth.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class GemvBench {

    static final int DIM = 4096;

    @Param({"vector", "native", "openblas"})
    public String impl;

    /**
     * Which product with the 4096×4096 W: {@code xWt} = x·Wᵀ (1×n, transB: W out×in as a Linear layer holds it),
     * {@code xW} = x·W (1×n), {@code Wx} = W·x (n×1) and {@code Wtx} = Wᵀ·x (n×1, transA).
     */
    @Param({"xWt", "xW", "Wx", "Wtx"})
    public String product;

    /** Rows of x (tokens) for xWt and xW: 1 is a matrix–vector product, 2 to 4 share each read of W. */
    @Param({"1"})
    public int rows;

    @Param({"1", "2"})
    public int threads;

    private Arena arena;
    private WorkerPool pool;
    private Gemm gemm;
    private MemorySegment x, w, y;

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        pool = WorkerPool.of(threads);
        gemm = Gemms.create(impl, pool);
        x = BenchOperands.uniform(arena, (long) rows * DIM, 1);
        w = BenchOperands.uniform(arena, (long) DIM * DIM, 2);
        y = FloatSegments.allocate(arena, (long) rows * DIM);
    }

    @Benchmark
    public MemorySegment multiply() {
        switch (product) {
            case "xWt" -> gemm.gemm(false, true, rows, DIM, DIM, 1f, x, 0, DIM, w, 0, DIM, 0f, y, 0, DIM);
            case "xW" -> gemm.gemm(false, false, rows, DIM, DIM, 1f, x, 0, DIM, w, 0, DIM, 0f, y, 0, DIM);
            case "Wx" -> gemm.gemm(false, false, DIM, 1, DIM, 1f, w, 0, DIM, x, 0, 1, 0f, y, 0, 1);
            case "Wtx" -> gemm.gemm(true, false, DIM, 1, DIM, 1f, w, 0, DIM, x, 0, 1, 0f, y, 0, 1);
            default -> throw new IllegalArgumentException("product must be xWt, xW, Wx or Wtx: " + product);
        }
        return y;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        BenchOperands.closeIfCloseable(gemm);
        pool.close();
        arena.close();
    }

    /** Bytes of W one {@link #multiply()} reads; x and y are a rounding error beside it. */
    static double bytesPerOp(Map<String, String> params) {
        return (double) DIM * DIM * Float.BYTES;
    }
}
