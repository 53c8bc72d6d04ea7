package amalgam.merge.cli;

import amalgam.merge.pipeline.MergeProgress;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import amalgam.merge.adapter.LoraAdapter;
import amalgam.merge.adapter.LoraModule;
import amalgam.merge.adapter.TestAdapters;
import amalgam.merge.algorithms.DenseMatrix;
import amalgam.merge.algorithms.LowRankUpdate;
import amalgam.engine.io.FileDType;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import picocli.CommandLine;

/** Running {@code amalgam merge} in-process, the small adapters it merges, and reading results back. */
final class MergeRuns {

    /** Two linear modules and an embedding; small enough that every SVD in a test is exact and fast. */
    static final String Q = "model.layers.0.self_attn.q_proj";
    static final String V = "model.layers.0.self_attn.v_proj";
    static final String EMBED = "model.embed_tokens";

    private MergeRuns() {}

    record Run(int exitCode, String out, String err) {

        /** stderr without the progress line, which a slow machine may show even in tests. */
        List<String> errLines() {
            return err.lines().filter(l -> !l.isBlank() && !l.startsWith(MergeProgress.PREFIX)).toList();
        }

        /** Asserts a usage or input error: exit 2, one stderr line containing every {@code culprit}, no stdout. */
        void assertBadInput(String... culprits) {
            assertEquals(2, exitCode, err);
            List<String> lines = errLines();
            assertEquals(1, lines.size(), err);
            assertTrue(lines.getFirst().startsWith("amalgam: error: "), err);
            for (String culprit : culprits) assertTrue(lines.getFirst().contains(culprit), err);
            assertEquals("", out);
        }
    }

    static Run run(String... args) {
        CommandLine cli = AmalgamCommand.newCommandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    static Run merge(Path out, List<Path> adapters, String... options) {
        List<String> args = new ArrayList<>(List.of("merge", "--out", out.toString()));
        // Two threads unless the test says otherwise: the parallel paths run, and big machines stay calm.
        if (!List.of(options).contains("--threads")) args.addAll(List.of("--threads", "2"));
        args.addAll(List.of(options));
        adapters.forEach(a -> args.add(a.toString()));
        return run(args.toArray(String[]::new));
    }

    /** An adapter with q_proj (5×6), v_proj (4×6) and an embedding (3×7) of rank r, Gaussian factors. */
    static Path adapter(Path dir, long seed, int r, double alpha, FileDType dtype) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            return new TestAdapters(arena, seed).linear(Q, r, 6, 5).linear(V, r, 6, 4).embedding(EMBED, r, 7, 3)
                    .write(dir, TestAdapters.config(r, alpha), dtype);
        }
    }

    /** Each module of an adapter as fp32 updates (scaling carried), in {@code arena}. */
    static Map<String, LowRankUpdate> updates(Path adapterDir, Arena arena) {
        Map<String, LowRankUpdate> updates = new LinkedHashMap<>();
        try (LoraAdapter adapter = LoraAdapter.open(adapterDir, true)) {
            for (LoraModule m : adapter.modules()) {
                DenseMatrix a = new DenseMatrix(m.rank(), (int) m.inFeatures(), adapter.loadA(m, arena));
                DenseMatrix b = new DenseMatrix((int) m.outFeatures(), m.rank(), adapter.loadB(m, arena));
                updates.put(m.name(), new LowRankUpdate(b, a, m.scaling()));
            }
        }
        return updates;
    }

    /** scale · B · A in double, row-major. */
    static double[] delta(LowRankUpdate u) {
        int out = u.outFeatures(), in = u.inFeatures();
        double[] d = new double[out * in];
        for (int i = 0; i < out; i++) {
            for (int j = 0; j < in; j++) {
                double sum = 0;
                for (int k = 0; k < u.rank(); k++) sum += (double) u.b().get(i, k) * u.a().get(k, j);
                d[i * in + j] = u.scale() * sum;
            }
        }
        return d;
    }

    /** Σ w_i · s_i B_i A_i in double. */
    static double[] weightedSum(List<LowRankUpdate> updates, double... weights) {
        double[] sum = new double[updates.getFirst().outFeatures() * updates.getFirst().inFeatures()];
        for (int i = 0; i < updates.size(); i++) {
            double[] d = delta(updates.get(i));
            for (int e = 0; e < sum.length; e++) sum[e] += weights[i] * d[e];
        }
        return sum;
    }

    /** Elementwise agreement within {@code relative} of the expected update's largest entry. */
    static void assertDeltaEquals(double[] expected, double[] actual, double relative, String what) {
        assertEquals(expected.length, actual.length, what);
        double scale = 1e-30;
        for (double v : expected) scale = Math.max(scale, Math.abs(v));
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], relative * scale, what + ", element " + i);
        }
    }

    /** Asserts {@code out} does not exist and no temporary sibling of it was left behind. */
    static void assertNoOutput(Path out) throws IOException {
        assertFalse(Files.exists(out), out + " exists");
        assertNoLeftovers(out);
    }

    static void assertNoLeftovers(Path out) throws IOException {
        try (Stream<Path> siblings = Files.list(out.getParent())) {
            List<Path> left = siblings.filter(p -> p.getFileName().toString().startsWith("." + out.getFileName()))
                    .toList();
            assertTrue(left.isEmpty(), "left behind: " + left);
        }
    }
}
