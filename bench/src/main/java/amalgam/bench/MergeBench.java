package amalgam.bench;

import amalgam.kernels.Backend;
import amalgam.kernels.Backends;
import amalgam.kernels.WorkerPool;
import amalgam.merge.algorithms.ComputeContext;
import amalgam.merge.algorithms.DareSparsifier;
import amalgam.merge.algorithms.DeltaSpaceMerge;
import amalgam.merge.algorithms.DenseMatrix;
import amalgam.merge.algorithms.GeneralizedTaskArithmetic;
import amalgam.merge.algorithms.KeepMask;
import amalgam.merge.algorithms.LowRankUpdate;
import amalgam.merge.algorithms.MagnitudeSparsifier;
import amalgam.merge.algorithms.MajoritySign;
import amalgam.merge.algorithms.RandomizedSvd;
import amalgam.merge.algorithms.Semantics;
import amalgam.merge.algorithms.Sparsifier;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
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
 * The per-module pieces of a delta-space merge of {@link #ADAPTERS} rank-16 adapters on the cpu (Java Vector
 * API) or native (C) backend, warmed up: materialising the deltas (B·A), sparsifying them (TIES trim or DARE),
 * electing signs with the disjoint mean, and the truncated SVD of the result; {@code copyDeltas} is the memory-bandwidth peer. Work per operation is
 * the bytes of fp32 deltas the piece processes (n · rows · cols · 4), so every row reads as GB/s of deltas.
 * {@code linear} has nothing to sparsify or elect (those rows measure a copy and a weighted sum), and
 * {@code svd} refactors the stacked factors exactly instead of the dense merge.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class MergeBench {

    static final int ADAPTERS = 8;
    static final int RANK = 16;

    @Param({"ties", "dare_ties", "linear", "svd"})
    public String method;

    /** cpu (Java Vector API) or native (C, what {@code amalgam merge} uses by default where it loads). */
    @Param({"cpu", "native"})
    public String backendName;

    /** rows×cols of one module's ΔW (out × in). */
    @Param({"2048x2048", "5504x2048"})
    public String size;

    private Arena arena;
    private WorkerPool pool;
    private Backend backend;
    private ComputeContext ctx;
    private List<LowRankUpdate> updates;
    private List<MemorySegment> deltas, sparse;
    private MemorySegment merged, copy;
    private Sparsifier sparsifier;
    private GeneralizedTaskArithmetic combine;
    private RandomizedSvd svd;
    private double[] weights;
    private int rows, cols;

    @Setup(Level.Trial)
    public void setUp() {
        rows = rowsOf(size);
        cols = colsOf(size);
        arena = Arena.ofShared();
        pool = WorkerPool.of(WorkerPool.availableCores());
        backend = Backends.create(backendName, pool);
        ctx = new ComputeContext(backend, pool);
        weights = new double[ADAPTERS];
        Arrays.fill(weights, 1);
        SplittableRandom random = new SplittableRandom(42);
        updates = new ArrayList<>();
        deltas = new ArrayList<>();
        sparse = new ArrayList<>();
        for (int i = 0; i < ADAPTERS; i++) {
            LowRankUpdate u = new LowRankUpdate(BenchOperands.uniformFactor(arena, rows, RANK, random),
                    BenchOperands.uniformFactor(arena, RANK, cols, random), 2);
            updates.add(u);
            deltas.add(u.delta(backend, arena).data());
            sparse.add(DenseMatrix.zeros(arena, rows, cols).data());
        }
        merged = DenseMatrix.zeros(arena, rows, cols).data();
        copy = DenseMatrix.zeros(arena, rows, cols).data();
        MajoritySign election = switch (method) {
            case "ties", "dare_ties" -> MajoritySign.TOTAL;
            default -> null;
        };
        sparsifier = switch (method) {
            case "ties" -> MagnitudeSparsifier.topDensity(ctx, 0.2);
            case "dare_ties" -> new DareSparsifier(ctx, 0.2, Semantics.PEFT, KeepMask.seeded(7));
            default -> Sparsifier.NONE;
        };
        // Sparsified tensors are inputs of the combining stage, which then only elects and averages.
        for (int i = 0; i < ADAPTERS; i++) sparsifier.sparsify(rows, cols, deltas.get(i), i, 0, sparse.get(i));
        combine = new GeneralizedTaskArithmetic(ctx, Sparsifier.NONE, election, Semantics.PEFT, false, 1);
        combine.merge(rows, cols, sparse, weights, 0, merged);
        svd = new RandomizedSvd(backend, 3);
    }


    /** ΔW_i = s_i · B_i · A_i for every adapter, on the backend's GEMM. */
    @Benchmark
    public List<MemorySegment> materialiseDeltas() {
        for (int i = 0; i < ADAPTERS; i++) {
            updates.get(i).deltaInto(backend, new DenseMatrix(rows, cols, deltas.get(i)), 1);
        }
        return deltas;
    }

    /** The TIES trim (threshold selection and mask) or the DARE mask of every delta. */
    @Benchmark
    public List<MemorySegment> sparsify() {
        for (int i = 0; i < ADAPTERS; i++) sparsifier.sparsify(rows, cols, deltas.get(i), i, 0, sparse.get(i));
        return sparse;
    }

    /** Sign election and disjoint mean of the sparsified deltas (a weighted sum for linear and svd). */
    @Benchmark
    public MemorySegment electAndMean() {
        combine.merge(rows, cols, sparse, weights, 0, merged);
        return merged;
    }

    /** Rank-16 truncated SVD: randomized on the dense merge, or exact on the stacked factors for svd. */
    @Benchmark
    public LowRankUpdate truncatedSvd() {
        try (Arena scratch = Arena.ofConfined()) {
            if (method.equals("svd")) return DeltaSpaceMerge.svd(updates, weights, RANK, scratch);
            return svd.truncate(new DenseMatrix(rows, cols, merged), RANK, scratch);
        }
    }

    /** The peer: copying every delta once (read + write), what a memory-bound piece can at best approach. */
    @Benchmark
    public MemorySegment copyDeltas() {
        for (MemorySegment delta : deltas) copy.copyFrom(delta);
        return copy;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        BenchOperands.closeIfCloseable(backend);
        pool.close();
        arena.close();
    }

    private static int rowsOf(String size) {
        return Integer.parseInt(size.substring(0, size.indexOf('x')));
    }

    private static int colsOf(String size) {
        return Integer.parseInt(size.substring(size.indexOf('x') + 1));
    }

    /** Bytes of fp32 deltas one operation of any piece processes: every adapter's rows × cols floats. */
    static double bytesPerOp(Map<String, String> params) {
        String size = params.get("size");
        return (double) ADAPTERS * rowsOf(size) * colsOf(size) * Float.BYTES;
    }
}
