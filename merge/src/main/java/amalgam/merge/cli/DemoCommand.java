package amalgam.merge.cli;

import amalgam.engine.data.FashionMnist;
import amalgam.merge.dil.DilConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.util.concurrent.Callable;

/** {@code amalgam demo}: the domain-incremental study sized to finish within minutes on the embedded data. */
@Command(name = "demo",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        defaultValueProvider = StudyOptions.ReportDirectoryDefault.class,
        sortOptions = false,
        description = {
                "The `amalgam dil` study at demo size on the embedded Fashion-MNIST subset: a few minutes on 2 "
                        + "cores. Prints the study table (methods x W / b_max), the per-experience table and where "
                        + "the report (markdown, JSON, PNG plots) went.",
                ""})
public final class DemoCommand implements Callable<Integer> {

    @Mixin
    StudyOptions study = new StudyOptions();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        StudyRun.run(config(), FashionMnist.embedded(), study, StudyRun.invocation(spec), spec.commandLine().getOut(),
                spec.commandLine().getErr());
        return 0;
    }

    /** The study the options describe. */
    DilConfig config() {
        return DilConfig.demo(study.seeds(), 1).withCoefficients(study.coefficients());
    }
}
