package amalgam.merge.cli;

import amalgam.engine.data.FashionMnist;
import amalgam.merge.dil.DilConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code amalgam demo}: the domain-incremental study sized to finish within minutes on the embedded data. */
@Command(name = "demo",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        sortOptions = false,
        description = {
                "The `amalgam dil` study at demo size on the embedded Fashion-MNIST subset: a few",
                "minutes on 2 cores. Prints the study table (methods x W / b_max), the per-experience",
                "table and where the report (markdown, JSON, PNG plots) went.",
                ""})
public final class DemoCommand implements Callable<Integer> {

    @Option(names = "--seeds", paramLabel = "LIST", defaultValue = "0,1,2", order = 1,
            description = "Comma-separated seeds. Default: ${DEFAULT-VALUE}.")
    String seeds;

    @Option(names = "--json", paramLabel = "FILE", order = 2, description = "Also write the results as JSON.")
    Path json;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "demo-report", order = 3,
            description = "Report directory. Default: ${DEFAULT-VALUE}.")
    Path out;

    @Option(names = "--force", order = 4, description = "Replace existing outputs.")
    boolean force;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    ComputeOptions compute = new ComputeOptions();

    @Override
    public Integer call() throws IOException {
        StudyRun.run(DilConfig.demo(StudyRun.seeds(seeds), 1), FashionMnist.embedded(), out, json, force, compute,
                "amalgam demo", spec.commandLine().getOut(), spec.commandLine().getErr());
        return 0;
    }
}
