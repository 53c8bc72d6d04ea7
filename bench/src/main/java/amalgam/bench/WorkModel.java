package amalgam.bench;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How much work one operation of each benchmark does, and which measured row is its peer, so that the
 * report can print GFLOP/s or GB/s and "x% of OpenBLAS" beside JMH's time per operation.
 */
final class WorkModel {

    record Work(double amount, String unit) {}

    private static final Work UNKNOWN = new Work(0, "");

    private WorkModel() {}

    static Work of(String benchmark, Map<String, String> params) {
        return switch (benchmark.substring(0, benchmark.indexOf('.'))) {
            case "GemmBench" -> new Work(GemmBench.flopsPerOp(Integer.parseInt(params.get("n"))), "FLOP");
            case "LoraForwardBench" -> new Work(
                    LoraForwardBench.flopsPerOp(Integer.parseInt(params.get("tokens")), params.get("mode")), "FLOP");
            case "MergeBench" -> new Work(MergeBench.bytesPerOp(params), "B");
            case "ManyAdaptersMergeBench" -> new Work(ManyAdaptersMergeBench.bytesPerOp(params), "B");
            case "GemvBench" -> new Work(GemvBench.bytesPerOp(params), "B");
            default -> UNKNOWN;
        };
    }

    /** The peer row for GEMM benchmarks: OpenBLAS with the same size and threads. */
    static Optional<BenchReport.Row> peerOf(BenchReport.Row row, List<BenchReport.Row> rows) {
        String impl = row.params().get("impl");
        if (impl == null || impl.equals("openblas")) return Optional.empty();
        return rows.stream()
                .filter(other -> other.benchmark().equals(row.benchmark()))
                .filter(other -> "openblas".equals(other.params().get("impl")))
                .filter(other -> sameExcept(other.params(), row.params(), "impl"))
                .findFirst();
    }

    private static boolean sameExcept(Map<String, String> a, Map<String, String> b, String ignored) {
        if (!a.keySet().equals(b.keySet())) return false;
        return a.keySet().stream().filter(k -> !k.equals(ignored)).allMatch(k -> Objects.equals(a.get(k), b.get(k)));
    }

    static String formatRate(double perSecond, String unit) {
        return String.format("%.1f G%s/s", perSecond / 1e9, unit);
    }
}
