package amalgam.merge.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Options of {@code amalgam bench}. Shared by the CLI command, which starts the benchmark JVM, and by the
 * report inside the benchmark jar, which parses the same arguments: one definition, no drift.
 */
public final class BenchOptions {

    @Parameters(index = "0", arity = "0..1", defaultValue = "GemmBench", paramLabel = "PATTERN",
            description = "Regular expression selecting benchmarks (default: ${DEFAULT-VALUE}). "
                    + "Classes: GemmBench, GemvBench, MergeBench, ManyAdaptersMergeBench, TrainStepBench, LoraForwardBench, "
                    + "CoefficientStepBench, DecoderBench, DecoderCoefficientStepBench.")
    public String pattern;

    @Option(names = {"-p", "--param"}, paramLabel = "NAME=V1,V2",
            description = "Restrict a @Param, e.g. -p n=1024 -p threads=2 -p impl=vector,openblas. "
                    + "GemmBench measures vector, native and openblas unless impl is given (scalar is slow).")
    public Map<String, String> params = new LinkedHashMap<>();

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "2", description = "Warm-up iterations per trial (default: ${DEFAULT-VALUE}).")
    public int warmupIterations;

    @Option(names = "--iterations", paramLabel = "N", defaultValue = "3", description = "Measured iterations per trial (default: ${DEFAULT-VALUE}).")
    public int iterations;

    @Option(names = "--time-ms", paramLabel = "MS", defaultValue = "500", description = "Length of each iteration in ms (default: ${DEFAULT-VALUE}).")
    public int iterationMillis;

    @Option(names = "--forks", paramLabel = "N", defaultValue = "1", description = "JVM forks per trial (default: ${DEFAULT-VALUE}).")
    public int forks;

    @Option(names = "--jvm-arg", paramLabel = "FLAG",
            description = "Give the measurement JVMs this flag too (repeat for more), e.g. --jvm-arg=-XX:UseAVX=2 "
                    + "--jvm-arg=-Damalgam.native.isa=x86-64-v3 to measure the AVX2 code and the x86-64-v3 library on "
                    + "an AVX-512 machine. The PyTorch peers are not affected; OPENBLAS_CORETYPE=Haswell in the "
                    + "environment gives OpenBLAS its AVX2 kernels.")
    public List<String> jvmArgs = new ArrayList<>();

    @Option(names = "--json", paramLabel = "FILE", description = "Also write JMH's JSON results to FILE.")
    public Path json;

    @Option(names = "--peers", description = "Also run the PyTorch peer of each benchmark that has one "
            + "(DecoderBench, DecoderCoefficientStepBench, LoraForwardBench, TrainStepBench; scripts in bench/peers) "
            + "on the same machine right after JMH, and show Amalgam's speed-up over it. Needs a Python with torch: "
            + "--python, else $AMALGAM_PYTHON, else .venv-peers/bin/python in the source tree, else python3.")
    public boolean peers;

    @Option(names = "--python", paramLabel = "PATH", description = "The Python that runs the --peers scripts.")
    public Path python;
}
