package amalgam.merge.cli;

import amalgam.engine.data.FashionMnist;
import amalgam.engine.InputException;
import amalgam.merge.dil.DilConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code amalgam dil}: the domain-incremental adaptive-merging study at full size (or {@code --quick}). */
@Command(name = "dil",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        defaultValueProvider = StudyOptions.ReportDirectoryDefault.class,
        sortOptions = false,
        description = {
                "Domain-incremental study of adaptive LoRA merging on Fashion-MNIST in four domains (original, "
                        + "posterized, edges, rotated-noisy). A TinyViT is pre-trained on the first; each "
                        + "experience trains a LoRA on the next domain, keeps --spc images per class in a memory "
                        + "buffer and merges all adapters so far: task arithmetic, TIES and DARE-TIES with fixed "
                        + "coefficients W in {1,3,5} against coefficients learned on the buffer (b_max in {1,3,5}; "
                        + "how they are learned: --activation, --granularity, --scale, --objective). Baselines: a "
                        + "new LoRA on the buffer, a joint LoRA on all data, and random LoRAs of equal norm in place "
                        + "of the older adapters.",
                "",
                "Without --quick this is the study at full size: with --data pointing at the full Fashion-MNIST "
                        + "(60,000 training images per domain) it took 33 minutes on 2 cores; on the embedded "
                        + "subset (the default, 10,000 per domain) it is shorter. `amalgam demo` is the few-minute "
                        + "version.",
                ""})
public final class DilCommand implements Callable<Integer> {

    @Option(names = "--quick", order = 1, description = "A small study (thousands of images per domain).")
    boolean quick;

    @Option(names = "--data", paramLabel = "DIR", order = 2,
            description = "Fashion-MNIST IDX files (e.g. /usr/share/datasets/fashion-mnist). Default: the embedded subset.")
    Path data;

    @Option(names = "--spc", paramLabel = "N", defaultValue = "1", order = 4,
            description = "Memory-buffer images per class per domain. Default: ${DEFAULT-VALUE}.")
    int spc;

    @Mixin
    StudyOptions study = new StudyOptions();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        DilConfig config = config();
        FashionMnist dataset = data == null ? FashionMnist.embedded() : load(data);
        StudyRun.run(config, dataset, study, StudyRun.invocation(spec), spec.commandLine().getOut(),
                spec.commandLine().getErr());
        return 0;
    }

    /** The study the options describe. */
    DilConfig config() {
        if (spc < 1) throw new InputException("--spc", "must be at least 1, got " + spc);
        String name = data == null ? "embedded" : data.toString();
        DilConfig preset = quick ? DilConfig.quick(name, study.seeds(), spc) : DilConfig.full(name, study.seeds(), spc);
        return preset.withCoefficients(study.coefficients());
    }

    private static FashionMnist load(Path directory) {
        try {
            return FashionMnist.load(directory);
        } catch (IOException e) {
            throw new InputException("--data", e.getMessage(), e);
        }
    }
}
