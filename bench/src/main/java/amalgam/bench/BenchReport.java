package amalgam.bench;

import amalgam.merge.cli.BenchOptions;
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
        Map<String, String> params = new java.util.LinkedHashMap<>(options.params);
        // The scalar GEMM is a reference, not a contender: measure it only when asked.
        params.putIfAbsent("impl", "vector,native,openblas");
        params.forEach((name, values) -> jmh.param(name, values.split(",")));
        if (options.json != null) {
            jmh.result(options.json.toString()).resultFormat(ResultFormatType.JSON);
        }
        Collection<RunResult> results = new Runner(jmh.build()).run();
        System.out.println();
        System.out.print(render(rows(results)));
    }

    /** One measured configuration, with the work one operation does (FLOP or bytes), 0 when unknown. */
    record Row(String benchmark, Map<String, String> params, double millisPerOp, double errorMillis,
               double workPerOp, String workUnit) {

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
            WorkModel.Work work = WorkModel.of(name, params);
            rows.add(new Row(name, params, score, error, work.amount(), work.unit()));
        }
        return rows;
    }

    static String render(List<Row> rows) {
        StringBuilder out = new StringBuilder();
        out.append(String.format("%-24s %-34s %12s %10s %12s %10s%n",
                "benchmark", "params", "ms/op", "± ms", "rate", "vs peer"));
        for (Row row : rows) {
            String rate = row.workPerOp() > 0 ? WorkModel.formatRate(row.ratePerSecond(), row.workUnit()) : "";
            String peer = WorkModel.peerOf(row, rows)
                    .map(p -> String.format("%.0f%% of %s", 100 * p.millisPerOp() / row.millisPerOp(),
                            p.params().getOrDefault("impl", "peer")))
                    .orElse("");
            // JMH reports no error bar for fewer than three iterations.
            String error = Double.isNaN(row.errorMillis()) ? "" : String.format("%.4f", row.errorMillis());
            out.append(String.format("%-24s %-34s %12.4f %10s %12s %10s%n",
                    row.benchmark(), row.paramText(), row.millisPerOp(), error, rate, peer));
        }
        return out.toString();
    }
}
