package amalgam.bench;

import amalgam.merge.cli.BenchOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import picocli.CommandLine;

/**
 * The body of {@code amalgam bench}: runs JMH with short settings, then prints one table row per measured
 * configuration with its work rate and, where a peer was measured in the same run, the share of the peer.
 */
public final class BenchReport {

    private BenchReport() {}

    public static void main(String[] args) throws RunnerException {
        BenchOptions options = new BenchOptions();
        new CommandLine(options).parseArgs(args);

        ChainedOptionsBuilder jmh = new OptionsBuilder()
                .include(options.pattern)
                .warmupIterations(options.warmupIterations)
                .warmupTime(TimeValue.milliseconds(options.iterationMillis))
                .measurementIterations(options.iterations)
                .measurementTime(TimeValue.milliseconds(options.iterationMillis))
                .forks(options.forks)
                .timeUnit(TimeUnit.MILLISECONDS)
                .shouldFailOnError(false);
        // Prepended: the benchmarks' own @Fork(jvmArgsAppend) flags (--add-modules …) must stay.
        if (!options.jvmArgs.isEmpty()) jmh.jvmArgsPrepend(options.jvmArgs.toArray(String[]::new));
        Map<String, String> params = new java.util.LinkedHashMap<>(options.params);
        // The scalar GEMM is a reference, not a contender: measure it only when asked.
        params.putIfAbsent("impl", "vector,native,openblas");
        params.forEach((name, values) -> jmh.param(name, values.split(",")));
        if (options.json != null) {
            jmh.result(options.json.toString()).resultFormat(ResultFormatType.JSON);
        }
        Collection<RunResult> results = new Runner(jmh.build()).run();
        List<Row> rows = rows(results);
        List<PyTorchPeers.Peer> peers = List.of();
        if (options.peers) {
            Path scripts = Path.of(System.getProperty("amalgam.peers", "bench/peers"));
            var timing = new PyTorchPeers.Timing(options.warmupIterations, options.iterations, options.iterationMillis);
            peers = PyTorchPeers.measure(rows, scripts, options.python, timing, System.out);
        } else if (rows.stream().anyMatch(r -> PyTorchPeers.SCRIPTS.containsKey(r.benchmark().split("\\.")[0]))) {
            System.out.println("(--peers also measures these in PyTorch on this machine, for the last column)");
        }
        System.out.println();
        System.out.print(render(rows, peers));
    }

    /**
     * One measured configuration: JMH's score (the mean over measured iterations), its error, the fastest
     * iteration, and the work one operation does (FLOP or bytes, 0 when unknown).
     */
    record Row(String benchmark, Map<String, String> params, double millisPerOp, double errorMillis,
               double bestMillisPerOp, double workPerOp, String workUnit) {

        double ratePerSecond() {
            return workPerOp / (millisPerOp / 1e3);
        }

        String paramText() {
            StringBuilder text = new StringBuilder();
            params.forEach((k, v) -> text.append(text.isEmpty() ? "" : " ").append(k).append('=').append(v));
            return text.toString();
        }
    }

    static List<Row> rows(Collection<RunResult> results) {
        List<Row> rows = new ArrayList<>();
        for (RunResult result : results) {
            var bench = result.getParams();
            String fullName = bench.getBenchmark();
            // "amalgam.bench.GemmBench.multiply" -> "GemmBench.multiply"
            String name = fullName.substring(fullName.lastIndexOf('.', fullName.lastIndexOf('.') - 1) + 1);
            Map<String, String> params = new java.util.LinkedHashMap<>();
            for (String key : bench.getParamsKeys()) params.put(key, bench.getParam(key));
            double score = result.getPrimaryResult().getScore();
            double error = result.getPrimaryResult().getScoreError();
            double best = result.getPrimaryResult().getStatistics().getMin();
            WorkModel.Work work = WorkModel.of(name, params);
            rows.add(new Row(name, params, score, error, best, work.amount(), work.unit()));
        }
        return rows;
    }

    static String render(List<Row> rows) {
        return render(rows, List.of());
    }

    /**
     * The table; with PyTorch peers measured, a last column of Amalgam's speed-up over them (PyTorch's time ÷
     * ours: above 1 is faster), and their own times below. The speed-up is given twice, like for like: mean ÷ mean
     * and best iteration ÷ best iteration, the peers being timed as JMH times us (bench/peers/peer_timing.py).
     * On a shared host the two differ by how much the neighbours took; the best is the steadier.
     */
    static String render(List<Row> rows, List<PyTorchPeers.Peer> peers) {
        StringBuilder out = new StringBuilder();
        out.append(String.format("%-24s %-34s %12s %10s %12s %10s%s%n",
                "benchmark", "params", "ms/op", "± ms", "rate", "vs peer",
                peers.isEmpty() ? "" : "   vs PyTorch: mean, best (PyTorch's ms)"));
        for (Row row : rows) {
            String rate = row.workPerOp() > 0 ? WorkModel.formatRate(row.ratePerSecond(), row.workUnit()) : "";
            String peer = WorkModel.peerOf(row, rows)
                    .map(p -> String.format("%.0f%% of %s", 100 * p.millisPerOp() / row.millisPerOp(),
                            p.params().getOrDefault("impl", "peer")))
                    .orElse("");
            // JMH reports no error bar for fewer than three iterations.
            String error = Double.isNaN(row.errorMillis()) ? "" : String.format("%.4f", row.errorMillis());
            String torch = PyTorchPeers.of(row, peers).map(p -> speedUp(row, p)).orElse("");
            out.append(String.format("%-24s %-34s %12.4f %10s %12s %10s%s%n",
                    row.benchmark(), row.paramText(), row.millisPerOp(), error, rate, peer, torch));
        }
        if (!peers.isEmpty()) {
            out.append(String.format("%nPyTorch peers, same machine, right after JMH (%s):%n", peers.getFirst().version()));
            out.append(String.format("%-24s %-34s %12s %12s%n", "", "", "mean ms/op", "best ms/op"));
            for (PyTorchPeers.Peer p : peers) {
                StringBuilder params = new StringBuilder();
                p.params().forEach((k, v) -> params.append(params.isEmpty() ? "" : " ").append(k).append('=').append(v));
                out.append(String.format("%-24s %-34s %12.4f %12.4f%n", p.benchmarkClass(), params, p.millisPerOp(),
                        p.bestMillisPerOp()));
            }
        }
        return out.toString();
    }

    /** "1.20×, 1.35× (600.000, 550.000 ms)": mean over mean and best over best; the mean alone if the peer gave no best. */
    static String speedUp(Row row, PyTorchPeers.Peer peer) {
        double mean = peer.millisPerOp() / row.millisPerOp();
        if (Double.isNaN(peer.bestMillisPerOp()) || Double.isNaN(row.bestMillisPerOp())) {
            return String.format("   %.2f× (%.3f ms)", mean, peer.millisPerOp());
        }
        return String.format("   %.2f×, %.2f× (%.3f, %.3f ms)", mean, peer.bestMillisPerOp() / row.bestMillisPerOp(),
                peer.millisPerOp(), peer.bestMillisPerOp());
    }
}
