package amalgam.merge.cli;

/**
 * Names inside a bundle written by {@code amalgam dist}. Shared by the writer ({@link DistCommand}) and the reader
 * ({@link Installation}), so both agree on where things are.
 *
 * <pre>
 * DIR/bin/amalgam      POSIX sh launcher
 * DIR/COMMIT           the source commit it was built from
 * DIR/runtime/         Java runtime linked by jlink with only the modules we need
 * DIR/lib/*.jar        our jars, their dependencies and the JMH benchmarks (thin jar + JMH)
 * DIR/evidence/        the GPU evidence script (evidence.sh) and its PyTorch peers, from bench/gpu
 * </pre>
 */
final class BundleLayout {

    static final String BIN = "bin";
    static final String LAUNCHER = "bin/amalgam";
    /** The source commit the bundle was built from, one line. */
    static final String COMMIT = "COMMIT";
    static final String RUNTIME = "runtime";
    static final String LIB = "lib";
    static final String EVIDENCE = "evidence";

    /** The thin benchmark jar: our benchmark classes and the META-INF/BenchmarkList JMH reads. */
    static final String BENCH_JAR = "amalgam-bench.jar";

    /** The most a bundle may weigh: what a GPU session may copy onto its machine. */
    static final long MAX_BYTES = 64L << 20;

    private BundleLayout() {}
}
