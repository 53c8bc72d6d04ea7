package amalgam.merge.cli;

import amalgam.merge.pipeline.MergeOptions;
import amalgam.merge.pipeline.MergeInputs;
import amalgam.merge.pipeline.ModuleMerger;
import amalgam.merge.pipeline.MergePlan;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import amalgam.kernels.WorkerPool;
import amalgam.merge.adapter.LoraAdapter;
import amalgam.merge.adapter.LoraModule;
import amalgam.merge.adapter.LoraNorms;
import amalgam.merge.algorithms.DenseMatrix;
import amalgam.merge.algorithms.LowRankUpdate;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Adapters whose files together are about four times the JVM heap, each alone larger than it, merged and
 * inspected by the real CLI in a child JVM with {@code -Xmx32m}. This holds only if the inputs stay
 * memory-mapped, the merge streams module by module, and the writer streams each tensor to the output file:
 * a heap copy of any one input file, or an output assembled in memory, runs out of heap.
 *
 * <p>The results are checked, not just the exit code: {@code cat} is exact, so every output module must apply
 * Σ w_i s_i B_i A_i to a random probe vector; {@code ties_svd} materialises dense deltas (the memory-hungry path)
 * and must equal an in-process merge of the same module.
 */
class MergeLargerThanHeapTest {

    private static final String CHILD_HEAP = "32m";
    private static final long CHILD_HEAP_BYTES = 32L << 20;
    /**
     * A high rank keeps the files large while the dense deltas (out × in per module, whatever the rank) and hence
     * the ties run stay cheap: 3 adapters × 24 layers × rank 256 ≈ 3 × 44 MB.
     */
    private static final int LAYERS = 24;
    private static final int RANK = 256;
    /** Scalings 1, 0.5 and 4, so that a scaling applied twice or not at all shows. */
    private static final double[] ALPHAS = {256, 128, 1024};
    private static final double[] WEIGHTS = {1, -0.5, 2};
    private static final String THREADS = "2";

    @TempDir
    static Path dir;
    private static List<Path> adapters;

    @BeforeAll
    static void writeAdaptersLargerThanTheChildHeap() throws IOException {
        adapters = new ArrayList<>();
        for (int i = 0; i < ALPHAS.length; i++) {
            adapters.add(LargeTestAdapters.write(dir.resolve("adapter" + i), LAYERS, RANK, ALPHAS[i], 100 + i));
        }
        long total = 0;
        for (Path adapter : adapters) {
            long size = Files.size(adapter.resolve(LoraAdapter.WEIGHTS_FILE));
            assertTrue(size > CHILD_HEAP_BYTES, adapter + " is " + size + " bytes, not more than the heap");
            total += size;
        }
        assertTrue(total >= 3 * CHILD_HEAP_BYTES, "inputs are " + total + " bytes, not 3× the heap");
    }

    @Test
    void catOfAdaptersLargerThanTheHeapIsTheExactSumInEveryModule() throws Exception {
        Path out = dir.resolve("cat");
        ChildJvm.Result run = mergeInChild(out, "--method", "cat", "--weights", weights());
        assertEquals(0, run.exitCode(), run.transcript());
        // cat keeps every rank slice, so its output is as large as its inputs: the writer must stream too.
        long written = Files.size(out.resolve(LoraAdapter.WEIGHTS_FILE));
        assertTrue(written >= 3 * CHILD_HEAP_BYTES, "cat wrote only " + written + " bytes");

        List<LoraAdapter> inputs = adapters.stream().map(LoraAdapter::open).toList();
        try (LoraAdapter merged = LoraAdapter.open(out)) {
            assertEquals(2 * LAYERS, merged.modules().size());
            SplittableRandom random = new SplittableRandom(7);
            for (LoraModule m : merged.modules()) {
                assertEquals(ALPHAS.length * RANK, m.rank(), m.name());
                double[] x = probe(random, m);
                double[] expected = new double[(int) m.outFeatures()];
                for (int i = 0; i < inputs.size(); i++) {
                    LoraAdapter input = inputs.get(i);
                    add(expected, WEIGHTS[i], apply(input, input.module(m.name()).orElseThrow(), x));
                }
                MergeRuns.assertDeltaEquals(expected, apply(merged, m, x), 1e-5, "cat, " + m.name());
            }
        } finally {
            inputs.forEach(LoraAdapter::close);
        }
    }

    @Test
    void tiesSvdOfAdaptersLargerThanTheHeapMatchesAnInProcessMerge() throws Exception {
        Path out = dir.resolve("ties");
        ChildJvm.Result run = mergeInChild(out, "--method", "ties_svd", "--density", "0.5", "--rank", "16",
                "--weights", weights());
        assertEquals(0, run.exitCode(), run.transcript());

        MergeOptions options = new MergeOptions();
        options.method = "ties_svd";
        options.density = List.of(0.5);
        options.rank = 16;
        options.weights = Arrays.stream(WEIGHTS).boxed().toList();
        ComputeOptions compute = new ComputeOptions();
        compute.threads = Integer.parseInt(THREADS);
        try (LoraAdapter merged = LoraAdapter.open(out);
             MergeInputs inputs = MergeInputs.open(adapters, false);
             WorkerPool pool = compute.pool()) {
            assertEquals(2 * LAYERS, merged.modules().size());
            merged.modules().forEach(m -> assertEquals(16, m.rank(), m.name()));
            ModuleMerger merger = new ModuleMerger(MergePlan.of(options, adapters.size()), compute.context(pool));
            // The last module: merged after every other one, by buffers the stream has reused all along.
            List<String> names = inputs.moduleNames();
            int last = names.size() - 1;
            LoraModule m = merged.module(names.get(last)).orElseThrow();
            double[] x = probe(new SplittableRandom(11), m);
            try (Arena arena = Arena.ofShared()) {
                LowRankUpdate expected = merger.merge(m.name(), inputs.load(m.name(), arena), 16, last, arena).update();
                MergeRuns.assertDeltaEquals(apply(expected.b(), expected.a(), expected.scale(), x),
                        apply(merged, m, x), 1e-4, "ties_svd, " + m.name());
            }
        }
    }

    @Test
    void inspectOfAnAdapterLargerThanTheHeapListsEveryModuleWithItsNorms() throws Exception {
        Path adapter = adapters.getFirst();
        ChildJvm.Result run = ChildJvm.amalgam(CHILD_HEAP, dir.resolve("logs"), "inspect", adapter.toString());
        assertEquals(0, run.exitCode(), run.transcript());
        List<String[]> rows = run.out().lines().filter(l -> l.startsWith("model.")).map(l -> l.split(" +")).toList();
        assertEquals(2 * LAYERS, rows.size(), run.transcript());

        // The norms of two modules, computed here; the rows are: name kind out x in rank scaling dtype |A| |B| |dW|.
        try (LoraAdapter input = LoraAdapter.open(adapter); Arena arena = Arena.ofConfined()) {
            for (String name : List.of(LargeTestAdapters.q(0), LargeTestAdapters.v(LAYERS - 1))) {
                LoraModule m = input.module(name).orElseThrow();
                LoraNorms norms = LoraNorms.of(input.loadA(m, arena), input.loadB(m, arena), m.rank(),
                        m.inFeatures(), m.outFeatures(), m.scaling());
                String[] row = rows.stream().filter(r -> r[0].equals(name)).findFirst().orElseThrow();
                assertEquals(List.of(m.outFeatures() + "", "x", m.inFeatures() + "", RANK + ""),
                        List.of(row).subList(2, 6), name);
                assertEquals(norms.a(), Double.parseDouble(row[8]), 1e-4 * norms.a(), name + " |A|_F");
                assertEquals(norms.b(), Double.parseDouble(row[9]), 1e-4 * norms.b(), name + " |B|_F");
                assertEquals(norms.delta(), Double.parseDouble(row[10]), 1e-4 * norms.delta(), name + " |dW|_F");
            }
        }
    }

    private static ChildJvm.Result mergeInChild(Path out, String... options) throws Exception {
        List<String> args = new ArrayList<>(List.of("merge", "--threads", THREADS, "--out", out.toString()));
        args.addAll(List.of(options));
        adapters.forEach(a -> args.add(a.toString()));
        return ChildJvm.amalgam(CHILD_HEAP, dir.resolve("logs"), args.toArray(String[]::new));
    }

    private static String weights() {
        return String.join(",", Arrays.stream(WEIGHTS).mapToObj(Double::toString).toList());
    }

    private static double[] probe(SplittableRandom random, LoraModule m) {
        return random.doubles(m.inFeatures(), -1, 1).toArray();
    }

    /** scaling · B · (A · x) of one module, reading only that module's factors. */
    private static double[] apply(LoraAdapter adapter, LoraModule m, double[] x) {
        try (Arena arena = Arena.ofConfined()) {
            DenseMatrix a = new DenseMatrix(m.rank(), (int) m.inFeatures(), adapter.loadA(m, arena));
            DenseMatrix b = new DenseMatrix((int) m.outFeatures(), m.rank(), adapter.loadB(m, arena));
            return apply(b, a, m.scaling(), x);
        }
    }

    private static double[] apply(DenseMatrix b, DenseMatrix a, double scale, double[] x) {
        double[] ax = new double[a.rows()];
        for (int k = 0; k < a.rows(); k++) {
            for (int j = 0; j < a.cols(); j++) ax[k] += a.get(k, j) * x[j];
        }
        double[] y = new double[b.rows()];
        for (int i = 0; i < b.rows(); i++) {
            for (int k = 0; k < b.cols(); k++) y[i] += b.get(i, k) * ax[k];
            y[i] *= scale;
        }
        return y;
    }

    private static void add(double[] sum, double weight, double[] term) {
        for (int i = 0; i < sum.length; i++) sum[i] += weight * term[i];
    }
}
