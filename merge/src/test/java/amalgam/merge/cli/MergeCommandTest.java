package amalgam.merge.cli;

import static amalgam.merge.cli.MergeRuns.EMBED;
import static amalgam.merge.cli.MergeRuns.Q;
import static amalgam.merge.cli.MergeRuns.V;
import static amalgam.merge.cli.MergeRuns.adapter;
import static amalgam.merge.cli.MergeRuns.assertDeltaEquals;
import static amalgam.merge.cli.MergeRuns.delta;
import static amalgam.merge.cli.MergeRuns.merge;
import static amalgam.merge.cli.MergeRuns.updates;
import static amalgam.merge.cli.MergeRuns.weightedSum;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import amalgam.kernels.FloatSegments;
import amalgam.kernels.WorkerPool;
import amalgam.kernels.scalar.ScalarBackend;
import amalgam.kernels.scalar.ScalarGemm;
import amalgam.merge.adapter.AdapterConfig;
import amalgam.merge.adapter.LoraAdapter;
import amalgam.merge.adapter.LoraModule;
import amalgam.merge.adapter.TestAdapters;
import amalgam.merge.algorithms.ComputeContext;
import amalgam.merge.algorithms.Concatenation;
import amalgam.merge.algorithms.DeltaSpaceMerge;
import amalgam.merge.algorithms.FactorSpaceMerge;
import amalgam.merge.algorithms.LegoReweighting;
import amalgam.merge.algorithms.LoraLego;
import amalgam.merge.algorithms.LowRankUpdate;
import amalgam.merge.algorithms.MajoritySign;
import amalgam.merge.algorithms.MergeMethod;
import amalgam.merge.algorithms.MergeSettings;
import amalgam.merge.algorithms.RandomizedSvd;
import amalgam.merge.algorithms.SvdClamp;
import amalgam.engine.io.FileDType;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code amalgam merge} end to end: every method run through the command line, its output read back, and B·A
 * of every module compared with the algorithm (or a hand-written oracle) applied to the inputs directly.
 */
class MergeCommandTest {

    private static final WorkerPool POOL = WorkerPool.of(1);
    private static final ComputeContext CTX = new ComputeContext(new ScalarBackend(), POOL);
    /** Module order of the output, which is also the random stream of each module's masks. */
    private static final List<String> MODULES = List.of(EMBED, Q, V);
    /** At least the smaller side of every test module: the truncated SVD then reproduces ΔW exactly. */
    private static final String FULL_RANK = "6";

    @TempDir
    Path dir;
    private Path first;
    private Path second;
    private final Arena arena = Arena.ofShared();

    @BeforeEach
    void writeAdapters() throws IOException {
        first = adapter(dir.resolve("first"), 1, 2, 4, FileDType.F32);    // scaling 2
        second = adapter(dir.resolve("second"), 2, 2, 2, FileDType.F32);  // scaling 1
    }

    @AfterEach
    void closeArena() {
        arena.close();
    }

    @AfterAll
    static void closePool() {
        POOL.close();
    }

    private Path out(String name) {
        return dir.resolve(name);
    }

    /** Runs the merge, expects success, and returns the output's updates by module. */
    private Map<String, LowRankUpdate> mergeOk(Path out, List<Path> inputs, String... options) {
        MergeRuns.Run run = merge(out, inputs, options);
        assertEquals(0, run.exitCode(), run.err());
        try (LoraAdapter merged = LoraAdapter.open(out)) {
            for (LoraModule m : merged.modules()) assertEquals(1.0, m.scaling(), "scaling of " + m.name());
        }
        return updates(out, arena);
    }

    private List<LowRankUpdate> inputs(String module, Path... adapters) {
        List<LowRankUpdate> list = new ArrayList<>();
        for (Path a : adapters) list.add(updates(a, arena).get(module));
        return list;
    }

    // ---- exact methods against hand-written oracles ---------------------------------------------------------

    @Test
    void linearInDeltaSpaceIsTheWeightedSumOfScaledUpdates() throws IOException {
        Path out = out("linear");
        Map<String, LowRankUpdate> merged = mergeOk(out, List.of(first, second),
                "--method", "linear", "--weights", "0.7,-0.4", "--rank", "4");
        for (String module : MODULES) {
            assertDeltaEquals(weightedSum(inputs(module, first, second), 0.7, -0.4), delta(merged.get(module)), 1e-5,
                    module);
        }
        AdapterConfig config = AdapterConfig.read(out.resolve(AdapterConfig.FILE_NAME));
        assertEquals(4, config.r());
        assertEquals(4.0, config.loraAlpha());
        assertEquals(false, config.useRslora());
        assertEquals("tiny/base", config.baseModelNameOrPath().orElseThrow());
    }

    @Test
    void catIsExactWithRankSumAndNegativeWeightsSubtract() {
        Map<String, LowRankUpdate> merged = mergeOk(out("cat"), List.of(first, second),
                "--method", "cat", "--weights", "-1,1");
        for (String module : MODULES) {
            assertEquals(4, merged.get(module).rank(), module);
            assertDeltaEquals(weightedSum(inputs(module, first, second), -1, 1), delta(merged.get(module)), 1e-6,
                    module);
        }
    }

    @Test
    void scalingIsFoldedExactlyOnce() throws IOException {
        // The same factors with lora_alpha = r and = 2r: the merged update must double, never quadruple.
        Path plain = adapter(dir.resolve("alpha-r"), 5, 2, 2, FileDType.F32);
        Path doubled = adapter(dir.resolve("alpha-2r"), 5, 2, 4, FileDType.F32);
        for (String method : List.of("linear", "cat", "ties")) {
            Map<String, LowRankUpdate> once = mergeOk(out(method + "-r"), List.of(plain), "--method", method);
            Map<String, LowRankUpdate> twice = mergeOk(out(method + "-2r"), List.of(doubled), "--method", method);
            for (String module : MODULES) {
                double[] expected = delta(inputs(module, plain).getFirst());
                assertDeltaEquals(expected, delta(once.get(module)), 1e-5, method + " " + module);
                for (int i = 0; i < expected.length; i++) expected[i] *= 2;
                assertDeltaEquals(expected, delta(twice.get(module)), 1e-5, method + " 2r " + module);
            }
        }
    }

    @Test
    void rsloraAndAlphaPatternScalingsAreFoldedIn() throws IOException {
        Path rslora;
        try (Arena setup = Arena.ofConfined()) {
            rslora = new TestAdapters(setup, 11).linear(Q, 4, 6, 5).linear(V, 4, 6, 4).embedding(EMBED, 4, 7, 3)
                    .write(dir.resolve("rslora"), TestAdapters.config(4, 4, "\"use_rslora\": true",
                            "\"alpha_pattern\": {\"v_proj\": 8}"), FileDType.F32);
        }
        Map<String, LowRankUpdate> merged = mergeOk(out("rslora-cat"), List.of(rslora), "--method", "cat");
        // alpha/sqrt(r): 4/2 everywhere but v_proj, whose alpha_pattern gives 8/2.
        Map<String, Double> scaling = Map.of(EMBED, 2.0, Q, 2.0, V, 4.0);
        for (String module : MODULES) {
            LowRankUpdate raw = inputs(module, rslora).getFirst();
            double[] expected = delta(new LowRankUpdate(raw.b(), raw.a(), scaling.get(module)));
            assertDeltaEquals(expected, delta(merged.get(module)), 1e-6, module);
        }
    }

    @Test
    void factorSpaceLinearHasPeftsCrossTerms() {
        Map<String, LowRankUpdate> merged = mergeOk(out("factors"), List.of(first, second),
                "--method", "linear", "--space", "factors", "--weights", "2,-0.5");
        double[] weights = {2, -0.5};
        for (String module : MODULES) {
            List<LowRankUpdate> in = inputs(module, first, second);
            // (Σ √|c_i| B_i)(Σ sign(c_i) √|c_i| A_i) with c_i = w_i s_i, in double.
            LowRankUpdate u0 = in.get(0), u1 = in.get(1);
            int rows = u0.outFeatures(), cols = u0.inFeatures(), r = u0.rank();
            double[] root = new double[2], expected = new double[rows * cols];
            for (int i = 0; i < 2; i++) root[i] = Math.sqrt(Math.abs(weights[i] * in.get(i).scale()));
            for (int y = 0; y < rows; y++) {
                for (int x = 0; x < cols; x++) {
                    double sum = 0;
                    for (int k = 0; k < r; k++) {
                        double b = root[0] * u0.b().get(y, k) + root[1] * u1.b().get(y, k);
                        double a = root[0] * u0.a().get(k, x) - root[1] * u1.a().get(k, x);
                        sum += b * a;
                    }
                    expected[y * cols + x] = sum;
                }
            }
            assertEquals(2, merged.get(module).rank());
            assertDeltaEquals(expected, delta(merged.get(module)), 1e-5, module);
        }
    }

    // ---- every per-tensor method against the tensor merge applied to the dense deltas ------------------------

    static Stream<Arguments> denseMethods() {
        MergeSettings base = MergeSettings.defaults();
        return Stream.of(
                Arguments.of(MergeMethod.MAGNITUDE_PRUNE, base.withDensity(0.5),
                        List.of("--method", "magnitude_prune", "--density", "0.5")),
                Arguments.of(MergeMethod.TIES, base.withDensity(0.5),
                        List.of("--method", "ties", "--density", "0.5")),
                Arguments.of(MergeMethod.TIES, base.withDensity(0.4).withMajoritySign(MajoritySign.FREQUENCY),
                        List.of("--method", "ties_svd", "--density", "0.4", "--majority-sign", "frequency")),
                Arguments.of(MergeMethod.TIES, base.withDensity(0.5).withMergekit(0.5),
                        List.of("--method", "ties", "--density", "0.5", "--semantics", "mergekit", "--lambda", "0.5")),
                Arguments.of(MergeMethod.DARE_LINEAR, base.withDensity(0.5).withSeed(3),
                        List.of("--method", "dare_linear", "--density", "0.5", "--seed", "3")),
                Arguments.of(MergeMethod.DARE_TIES, base.withDensity(0.6).withSeed(4),
                        List.of("--method", "dare_ties_svd", "--density", "0.6", "--seed", "4")),
                Arguments.of(MergeMethod.BREADCRUMBS, base.withDensity(0.6).withGamma(0.1),
                        List.of("--method", "breadcrumbs", "--density", "0.6", "--gamma", "0.1")),
                Arguments.of(MergeMethod.BREADCRUMBS_TIES, base.withDensity(0.6),
                        List.of("--method", "breadcrumbs_ties", "--density", "0.6")),
                Arguments.of(MergeMethod.DELLA, base.withDensity(0.5).withEpsilon(0.2).withSeed(5),
                        List.of("--method", "della", "--density", "0.5", "--epsilon", "0.2", "--seed", "5")),
                Arguments.of(MergeMethod.DELLA_LINEAR, base.withDensity(0.5),
                        List.of("--method", "della_linear", "--density", "0.5")));
    }

    @ParameterizedTest(name = "{2}")
    @MethodSource("denseMethods")
    void denseMethodsAtFullRankEqualTheirTensorMerge(MergeMethod method, MergeSettings settings, List<String> options) {
        List<String> args = new ArrayList<>(options);
        args.addAll(List.of("--weights", "1.5,-0.5", "--rank", FULL_RANK));
        Map<String, LowRankUpdate> merged = mergeOk(out("dense"), List.of(first, second), args.toArray(String[]::new));
        double[] weights = {1.5, -0.5};
        for (int stream = 0; stream < MODULES.size(); stream++) {
            String module = MODULES.get(stream);
            List<LowRankUpdate> in = inputs(module, first, second);
            int rows = in.getFirst().outFeatures(), cols = in.getFirst().inFeatures();
            List<MemorySegment> deltas = in.stream().map(u -> u.delta(new ScalarGemm(), arena).data()).toList();
            MemorySegment expected = FloatSegments.allocate(arena, (long) rows * cols);
            method.tensorMerge(CTX, settings).merge(rows, cols, deltas, weights, stream, expected);
            double[] oracle = new double[rows * cols];
            for (int i = 0; i < oracle.length; i++) oracle[i] = FloatSegments.get(expected, i);
            assertDeltaEquals(oracle, delta(merged.get(module)), 1e-4, options + " " + module);
        }
    }

    // ---- defaults and the remaining methods against the algorithms called directly ---------------------------

    /** Compares every module of the output with {@code algorithm(inputs, stream)}. */
    private void assertMatchesAlgorithm(Map<String, LowRankUpdate> merged, Path[] adapters,
                                        BiFunction<List<LowRankUpdate>, Integer, LowRankUpdate> algorithm,
                                        int expectedRank, double tolerance) {
        for (int stream = 0; stream < MODULES.size(); stream++) {
            String module = MODULES.get(stream);
            LowRankUpdate expected = algorithm.apply(inputs(module, adapters), stream);
            assertEquals(expectedRank, merged.get(module).rank(), module);
            assertDeltaEquals(delta(expected), delta(merged.get(module)), tolerance, module);
        }
    }

    @Test
    void svdDefaultsToTheLargestInputRank() throws IOException {
        Path wider = adapter(dir.resolve("rank3"), 3, 3, 3, FileDType.F32);
        Map<String, LowRankUpdate> merged = mergeOk(out("svd"), List.of(first, wider), "--method", "svd");
        assertMatchesAlgorithm(merged, new Path[] {first, wider},
                (in, stream) -> DeltaSpaceMerge.svd(in, new double[] {1, 1}, 3, arena), 3, 1e-5);
    }

    @Test
    void denseMergeWithDefaultRankIsTruncated() {
        Map<String, LowRankUpdate> merged = mergeOk(out("ties2"), List.of(first, second),
                "--method", "ties", "--density", "0.5");
        MergeSettings settings = MergeSettings.defaults().withDensity(0.5);
        DeltaSpaceMerge deltaSpace = new DeltaSpaceMerge(CTX, new RandomizedSvd(new ScalarGemm(), 0));
        assertMatchesAlgorithm(merged, new Path[] {first, second}, (in, stream) -> deltaSpace.dense(in,
                new double[] {1, 1}, MergeMethod.TIES.tensorMerge(CTX, settings), 2, stream, arena), 2, 1e-4);
    }

    @Test
    void factorSpaceTies() {
        Map<String, LowRankUpdate> merged = mergeOk(out("factor-ties"), List.of(first, second),
                "--method", "ties", "--space", "factors", "--density", "0.5", "--weights", "1,2");
        MergeSettings settings = MergeSettings.defaults().withDensity(0.5);
        assertMatchesAlgorithm(merged, new Path[] {first, second}, (in, stream) -> FactorSpaceMerge.merge(in,
                new double[] {1, 2}, MergeMethod.TIES.tensorMerge(CTX, settings), stream, arena), 2, 1e-5);
    }

    @Test
    void legoWithBothReweightingsAndWithout() {
        Path[] both = {first, second};
        Map<String, LowRankUpdate> merged = mergeOk(out("lego"), List.of(both), "--method", "lego", "--clusters", "3",
                "--seed", "9");
        assertMatchesAlgorithm(merged, both, (in, stream) -> new LoraLego(3, 9, LegoReweighting.L2, true)
                .merge(in, new double[] {1, 1}, arena), 3, 1e-5);
        Map<String, LowRankUpdate> plain = mergeOk(out("lego-linf"), List.of(both), "--method", "lego",
                "--lego-norm", "linf", "--no-lego-output-reweighting", "--weights", "0.5,2");
        assertMatchesAlgorithm(plain, both, (in, stream) -> new LoraLego(2, 0, LegoReweighting.LINF, false)
                .merge(in, new double[] {0.5, 2}, arena), 2, 1e-5);
    }

    @Test
    void svdClampClampsTheRefactoredFactors() {
        Map<String, LowRankUpdate> merged = mergeOk(out("clamp"), List.of(first, second),
                "--method", "svd", "--svd-clamp", "0.9");
        assertMatchesAlgorithm(merged, new Path[] {first, second}, (in, stream) -> SvdClamp.apply(
                DeltaSpaceMerge.svd(in, new double[] {1, 1}, 2, arena), 0.9), 2, 1e-5);
    }

    @Test
    void mergekitLinearAppliesLambdaOnce() {
        Map<String, LowRankUpdate> merged = mergeOk(out("mk"), List.of(first, second), "--method", "linear",
                "--semantics", "mergekit", "--lambda", "0.5", "--rank", "4");
        for (String module : MODULES) {
            assertDeltaEquals(weightedSum(inputs(module, first, second), 0.5, 0.5), delta(merged.get(module)), 1e-5,
                    module);
        }
    }

    @Test
    void catEqualsConcatenationAlgorithm() {
        Map<String, LowRankUpdate> merged = mergeOk(out("cat2"), List.of(first, second), "--method", "cat",
                "--weights", "3,0.25");
        assertMatchesAlgorithm(merged, new Path[] {first, second},
                (in, stream) -> Concatenation.cat(in, new double[] {3, 0.25}, arena), 4, 1e-6);
    }

    // ---- output types, config and messages -----------------------------------------------------------------

    @Test
    void halfPrecisionOutputsAreRoundedResults() throws IOException {
        Map<String, LowRankUpdate> exact = mergeOk(out("f32"), List.of(first, second), "--method", "cat");
        for (FileDType dtype : List.of(FileDType.BF16, FileDType.F16)) {
            Path out = out(dtype.name());
            Map<String, LowRankUpdate> rounded = mergeOk(out, List.of(first, second), "--method", "cat",
                    "--dtype", dtype.name().toLowerCase());
            try (LoraAdapter written = LoraAdapter.open(out)) {
                for (LoraModule m : written.modules()) {
                    assertEquals(dtype, written.tensorA(m).dtype());
                    assertEquals(dtype, written.tensorB(m).dtype());
                }
            }
            double tolerance = dtype == FileDType.BF16 ? 2e-2 : 2e-3;
            for (String module : MODULES) {
                assertDeltaEquals(delta(exact.get(module)), delta(rounded.get(module)), tolerance, dtype + module);
            }
        }
    }

    @Test
    void outputTypeDefaultsToTheInputsType() throws IOException {
        Path a = adapter(dir.resolve("bf-a"), 7, 2, 2, FileDType.BF16);
        Path b = adapter(dir.resolve("bf-b"), 8, 2, 2, FileDType.BF16);
        Path out = out("bf16-default");
        mergeOk(out, List.of(a, b), "--method", "linear");
        try (LoraAdapter written = LoraAdapter.open(out)) {
            assertEquals(FileDType.BF16, written.tensorA(written.modules().getFirst()).dtype());
        }
        Path mixedOut = out("mixed-default");
        mergeOk(mixedOut, List.of(a, first), "--method", "linear");
        try (LoraAdapter written = LoraAdapter.open(mixedOut)) {
            assertEquals(FileDType.F32, written.tensorA(written.modules().getFirst()).dtype());
        }
    }

    @Test
    void printsASummaryAndNothingOnStderr() {
        Path out = out("summary");
        MergeRuns.Run run = merge(out, List.of(first, second), "--method", "ties", "--density", "0.5");
        assertEquals(0, run.exitCode(), run.err());
        assertEquals(List.of(), run.errLines());
        assertTrue(run.out().contains("merged   2 adapters with ties (delta space, density 0.5, total sign"), run.out());
        assertTrue(run.out().contains("modules  3, rank 2, f32"), run.out());
        assertTrue(run.out().contains("output   " + out.toAbsolutePath().normalize()), run.out());
        assertTrue(run.out().contains("time     "), run.out());
    }

    @Test
    void warnsWhenAdaptersNameDifferentBaseModels() throws IOException {
        Path other = dir.resolve("other-base");
        Files.createDirectories(other);
        Files.copy(second.resolve(LoraAdapter.WEIGHTS_FILE), other.resolve(LoraAdapter.WEIGHTS_FILE));
        Files.writeString(other.resolve(AdapterConfig.FILE_NAME), Files.readString(second.resolve(
                AdapterConfig.FILE_NAME)).replace("tiny/base", "other/base"));
        Path out = out("warned");
        MergeRuns.Run run = merge(out, List.of(first, other), "--method", "linear");
        assertEquals(0, run.exitCode(), run.err());
        assertEquals(1, run.errLines().size(), run.err());
        assertTrue(run.errLines().getFirst().startsWith("amalgam: warning: adapters disagree on "
                + "base_model_name_or_path: tiny/base"), run.err());
        assertEquals("tiny/base", AdapterConfig.read(out.resolve(AdapterConfig.FILE_NAME)).baseModelNameOrPath()
                .orElseThrow());
    }

    @Test
    void helpTeachesMethodsSpacesAndDefaults() {
        MergeRuns.Run help = MergeRuns.run("merge", "--help");
        assertEquals(0, help.exitCode());
        for (String method : List.of("linear", "cat", "svd", "ties", "dare_linear", "dare_ties", "magnitude_prune",
                "breadcrumbs", "della", "lego", "ties_svd")) {
            assertTrue(help.out().contains(method), method);
        }
        // Each method's entry lists the parameters it declares, so the help cannot drift from what is accepted.
        String flowing = help.out().replaceAll("\\s+", " ");
        for (MergeMethod m : MergeMethod.values()) {
            String takes = "takes: " + String.join(" ", m.parameters().stream().map(p -> p.key()).toList());
            assertTrue(flowing.contains(m.cliName() + " " ) && flowing.contains(takes), m + ": " + takes);
        }
        assertTrue(flowing.contains("default 1 for every adapter"), help.out());
        assertTrue(flowing.contains("task_arithmetic"), help.out());
        assertTrue(help.out().contains("cross terms"), help.out());
        assertTrue(help.out().contains("Examples:"), help.out());
        assertTrue(MergeRuns.run("--help").out().contains("merge"));
    }
}
