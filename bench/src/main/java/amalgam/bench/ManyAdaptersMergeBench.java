package amalgam.bench;

import amalgam.kernels.Backend;
import amalgam.kernels.Backends;
import amalgam.kernels.WorkerPool;
import amalgam.merge.algorithms.ComputeContext;
import amalgam.merge.algorithms.DeltaSpaceMerge;
import amalgam.merge.algorithms.DenseMatrix;
import amalgam.merge.algorithms.LowRankUpdate;
import amalgam.merge.algorithms.MergeMethod;
import amalgam.merge.algorithms.MergeSettings;
import amalgam.merge.algorithms.RandomizedSvd;
import amalgam.merge.algorithms.TensorMerge;
import java.lang.foreign.Arena;
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
 * One module's dense merge (deltas made from the factors, sparsified, elected, averaged; no SVD) as the number
 * of adapters grows to 1,000, the recycling study's pool. Up to the 1 GiB dense budget every delta is held at
 * once; beyond it (1,000 deltas of 1024 × 1024 are 4 GiB) each delta is made twice, one at a time, in bounded
 * memory. Work per operation is n · rows · cols · 4 bytes of deltas, so the rows read as GB/s of deltas merged:
 * flat GB/s as n grows is the bounded-memory path costing no more per adapter than its two passes.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
@Warmup(iterations = 1, time = 1)
@Measurement(iterations = 3, time = 1)
public class ManyAdaptersMergeBench {

    static final int ROWS = 1024, COLS = 1024, RANK = 16;

    @Param({"8", "100", "1000"})
    public int adapters;

    @Param({"ties", "dare_ties"})
    public String method;

    @Param({"native"})
    public String backendName;

    private Arena arena;
    private WorkerPool pool;
    private Backend backend;
    private DeltaSpaceMerge merge;
    private TensorMerge tensorMerge;
    private List<LowRankUpdate> updates;
    private double[] weights;
    private long module;

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        pool = WorkerPool.of(WorkerPool.availableCores());
        backend = Backends.create(backendName, pool);
        ComputeContext ctx = new ComputeContext(backend, pool);
        merge = new DeltaSpaceMerge(ctx, new RandomizedSvd(backend, 3));
        tensorMerge = MergeMethod.fromName(method).tensorMerge(ctx, MergeSettings.defaults().withDensity(0.2));
        SplittableRandom random = new SplittableRandom(42);
        updates = new ArrayList<>();
        for (int i = 0; i < adapters; i++) {
            updates.add(new LowRankUpdate(uniform(ROWS, RANK, random), uniform(RANK, COLS, random), 2));
        }
        weights = new double[adapters];
        Arrays.fill(weights, 1);
    }

    private DenseMatrix uniform(int r, int c, SplittableRandom random) {
        DenseMatrix m = DenseMatrix.zeros(arena, r, c);
        for (int i = 0; i < r; i++) {
            for (int j = 0; j < c; j++) m.set(i, j, (float) (random.nextDouble() * 2 - 1) / 8);
        }
        return m;
    }

    /** The merged dense ΔW of the module; a new stream each call, as each module of a merge has its own. */
    @Benchmark
    public DenseMatrix mergeModule() {
        return merge.mergedDelta(updates, weights, tensorMerge, module++);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        BenchOperands.closeIfCloseable(backend);
        pool.close();
        arena.close();
    }

    /** Bytes of fp32 deltas one operation merges: every adapter's rows × cols floats. */
    static double bytesPerOp(Map<String, String> params) {
        return (double) Integer.parseInt(params.get("adapters")) * ROWS * COLS * Float.BYTES;
    }
}
