package amalgam.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * {@code amalgam bench --peers}: the PyTorch script doing the same work as each benchmark that has one, run on
 * the same machine right after JMH, so the table compares two measurements of one run rather than a figure
 * quoted from elsewhere. A script times its work as JMH does (bench/peers/peer_timing.py, given JMH's warm-up,
 * iterations and iteration length) and prints {@code {"torch": version, "rows": [{"params": {…}, "ms": mean,
 * "best_ms": best}]}} with the benchmark's own parameter names; a row matches the JMH rows whose parameters
 * include all of its own.
 */
final class PyTorchPeers {

    /** Benchmark class → its peer script in bench/peers. */
    static final Map<String, String> SCRIPTS = Map.of(
            "DecoderBench", "decoder.py",
            "DecoderCoefficientStepBench", "coefficient_step.py",
            "LoraForwardBench", "lora_forward.py",
            "TrainStepBench", "train_step.py");

    /** One measured peer configuration: the mean over its measured iterations and the best one (NaN if not given). */
    record Peer(String benchmarkClass, Map<String, String> params, double millisPerOp, double bestMillisPerOp,
                String version) {

        boolean matches(BenchReport.Row row) {
            if (!row.benchmark().startsWith(benchmarkClass + ".")) return false;
            for (Map.Entry<String, String> p : params.entrySet()) {
                String value = row.params().get(p.getKey());
                if (value != null && !value.equals(p.getValue())) return false;
            }
            return true;
        }
    }

    private PyTorchPeers() {}

    /** The peer rows for every benchmark in {@code rows} that has a script, one script run per thread count. */
    static List<Peer> measure(List<BenchReport.Row> rows, Path scripts, Path python, Timing timing, PrintStream log) {
        String interpreter = python(python).toString();
        Optional<String> missing = torchMissing(interpreter);
        if (missing.isPresent()) {
            log.println("peers: " + missing.get());
            log.println("peers: to measure PyTorch beside JMH: python3 -m venv .venv-peers && .venv-peers/bin/pip "
                    + "install --index-url <the local index `pip config list` names> torch==2.13.0+cpu "
                    + "transformers==5.17.0 peft==0.21.0 (the rest of this table is unaffected)");
            return List.of();
        }
        List<Peer> peers = new ArrayList<>();
        Map<String, Set<String>> threadsByClass = new LinkedHashMap<>();
        for (BenchReport.Row row : rows) {
            String type = row.benchmark().substring(0, row.benchmark().indexOf('.'));
            if (SCRIPTS.containsKey(type)) {
                threadsByClass.computeIfAbsent(type, k -> new LinkedHashSet<>()).add(row.params().getOrDefault("threads", "2"));
            }
        }
        threadsByClass.forEach((type, threads) -> {
            for (String t : threads) {
                Path script = scripts.resolve(SCRIPTS.get(type));
                log.println("peers: " + script.getFileName() + " --threads " + t + " " + String.join(" ", timing.arguments()) + " …");
                try {
                    peers.addAll(parse(type, run(interpreter, script, t, timing)));
                } catch (IOException | RuntimeException e) {
                    log.println("peers: " + script.getFileName() + " failed: " + e.getMessage());
                }
            }
        });
        return peers;
    }

    /** Rows of one script's JSON output. */
    static List<Peer> parse(String benchmarkClass, String json) throws IOException {
        JsonNode root = new ObjectMapper().readTree(json);
        String version = "PyTorch " + root.path("torch").asText("?");
        List<Peer> peers = new ArrayList<>();
        for (JsonNode row : root.path("rows")) {
            Map<String, String> params = new LinkedHashMap<>();
            row.path("params").properties().forEach(e -> params.put(e.getKey(), e.getValue().asText()));
            peers.add(new Peer(benchmarkClass, params, row.path("ms").asDouble(),
                    row.path("best_ms").asDouble(Double.NaN), version));
        }
        if (peers.isEmpty()) throw new IOException("printed no rows");
        return peers;
    }

    /** The peer a JMH row is compared with, if one was measured. */
    static Optional<Peer> of(BenchReport.Row row, List<Peer> peers) {
        return peers.stream().filter(p -> p.matches(row)).findFirst();
    }

    /** JMH's settings of this run, which the scripts time their own iterations by. */
    record Timing(int warmupIterations, int iterations, int iterationMillis) {

        List<String> arguments() {
            return List.of("--warmup", String.valueOf(warmupIterations), "--iterations", String.valueOf(iterations),
                    "--time-ms", String.valueOf(iterationMillis));
        }
    }

    private static String run(String python, Path script, String threads, Timing timing) throws IOException {
        if (!Files.isRegularFile(script)) throw new IOException(script + " not found");
        List<String> command = new ArrayList<>(List.of(python, script.toString(), "--threads", threads, "--json"));
        command.addAll(timing.arguments());
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!process.waitFor(30, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new IOException("did not finish in 30 minutes");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
        if (process.exitValue() != 0) throw new IOException("exit code " + process.exitValue());
        // The JSON is the last line: libraries may print notices before it.
        String[] lines = out.strip().split("\n");
        return lines[lines.length - 1];
    }

    /** --python, else $AMALGAM_PYTHON, else the source tree's .venv-peers, else python3 from PATH. */
    static Path python(Path given) {
        if (given != null) return given;
        String env = System.getenv("AMALGAM_PYTHON");
        if (env != null && !env.isBlank()) return Path.of(env);
        Path venv = Path.of(System.getProperty("amalgam.home", ".")).resolve(".venv-peers/bin/python");
        return Files.isExecutable(venv) ? venv : Path.of("python3");
    }

    /** Empty when {@code python} imports torch; otherwise why not. */
    private static Optional<String> torchMissing(String python) {
        try {
            Process p = new ProcessBuilder(python, "-c", "import torch").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            if (p.waitFor(2, TimeUnit.MINUTES) && p.exitValue() == 0) return Optional.empty();
            return Optional.of(python + " cannot import torch");
        } catch (IOException e) {
            return Optional.of(python + " does not run (" + e.getMessage() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted");
        }
    }
}
