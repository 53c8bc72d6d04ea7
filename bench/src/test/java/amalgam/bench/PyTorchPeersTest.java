package amalgam.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A peer script's JSON rows meet the JMH rows with the same parameters, and the table shows the speed-up like for
 * like: mean over mean and best over best.
 */
class PyTorchPeersTest {

    private static final String DECODER = """
            {"peer": "pytorch", "torch": "2.13.0+cpu", "threads": 2, "rows": [
              {"params": {"adapter": "none", "threads": "2", "phase": "prefill"}, "ms": 600.0, "best_ms": 450.0},
              {"params": {"adapter": "none", "threads": "2", "phase": "decode"}, "ms": 20.0}]}""";

    private static BenchReport.Row row(String phase, double ms, double bestMs) {
        return new BenchReport.Row("DecoderBench.run", Map.of("adapter", "none", "phase", phase, "threads", "2"), ms,
                1, bestMs, 0, "");
    }

    @Test
    void rowsMatchByTheirParametersAndRenderAsSpeedUps() throws IOException {
        List<PyTorchPeers.Peer> peers = PyTorchPeers.parse("DecoderBench", DECODER);
        assertEquals(2, peers.size());
        assertEquals(20.0, PyTorchPeers.of(row("decode", 10, 9), peers).orElseThrow().millisPerOp());
        assertEquals(450.0, PyTorchPeers.of(row("prefill", 300, 250), peers).orElseThrow().bestMillisPerOp());
        assertTrue(Double.isNaN(PyTorchPeers.of(row("decode", 10, 9), peers).orElseThrow().bestMillisPerOp()));
        assertTrue(PyTorchPeers.of(new BenchReport.Row("DecoderBench.run",
                Map.of("adapter", "lora", "phase", "decode", "threads", "2"), 10, 1, 9, 0, ""), peers).isEmpty());
        assertTrue(PyTorchPeers.of(new BenchReport.Row("GemmBench.multiply", Map.of("threads", "2"), 10, 1, 9, 0, ""),
                peers).isEmpty(), "another benchmark's row");
        String table = BenchReport.render(List.of(row("prefill", 300, 250), row("decode", 10, 9)), peers);
        assertTrue(table.contains("2.00×, 1.80× (600.000, 450.000 ms)"), table);
        assertTrue(table.contains("2.00× (20.000 ms)"), "a peer without a best gives the mean alone: " + table);
        assertTrue(table.contains("PyTorch 2.13.0+cpu"), table);
    }

    @Test
    void theScriptsAreGivenJmhsSettings() {
        assertEquals(List.of("--warmup", "3", "--iterations", "5", "--time-ms", "1000"),
                new PyTorchPeers.Timing(3, 5, 1000).arguments());
    }

    @Test
    void aScriptWithoutRowsIsAnError() {
        assertThrows(IOException.class, () -> PyTorchPeers.parse("DecoderBench", "{\"torch\": \"2.13\", \"rows\": []}"));
    }

    @Test
    void everyScriptNamedExists() {
        for (String script : PyTorchPeers.SCRIPTS.values()) {
            assertTrue(java.nio.file.Files.isRegularFile(java.nio.file.Path.of("peers", script)), script);
        }
    }
}
