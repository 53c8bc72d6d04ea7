package amalgam.merge.cli;

import amalgam.engine.io.AtomicOutput;
import amalgam.merge.dil.ResultOutput;
import amalgam.merge.dil.TrainingProgress;
import amalgam.merge.pipeline.MergeProgress;
import amalgam.merge.pipeline.ToolVersion;
import amalgam.merge.textstudy.LicenceTexts;
import amalgam.merge.textstudy.TextStudy;
import amalgam.merge.textstudy.TextStudyConfig;
import amalgam.merge.textstudy.TextStudyResults;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code amalgam text-study}: the LoRA-recycling question on a byte-level Llama the engine pre-trains. */
@Command(name = "text-study",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        sortOptions = false,
        description = {
                "Pre-trains a small Llama-shaped decoder on bytes of one licence text of Debian's base-files package "
                        + "(/usr/share/common-licenses/GPL-3), trains one LoRA each on Apache-2.0, MPL-2.0 and "
                        + "GFDL-1.3, and asks the LoRA-recycling question: do TIES coefficients learned on a small "
                        + "buffer owe their gain to the adapters (real against random LoRAs of equal norms), and does "
                        + "merging beat a new LoRA trained on that buffer? Prints bits per byte on held-out text "
                        + "(mean ± std over seeds) and what they say; writes a report (markdown and JSON).",
                "A few minutes per seed on 2 cores (--quick: about a third).",
                ""})
public final class TextStudyCommand implements Callable<Integer> {

    @Option(names = "--seeds", paramLabel = "LIST", defaultValue = "0,1,2", order = 1,
            description = "Comma-separated seeds; results are mean ± std over them. Default: ${DEFAULT-VALUE}.")
    String seeds;

    @Option(names = "--quick", order = 2, description = "A third of the training: to try the pipeline.")
    boolean quick;

    @Option(names = "--corpus", paramLabel = "DIR", order = 3,
            description = "Folder with the licence texts GPL-3, Apache-2.0, MPL-2.0 and GFDL-1.3. "
                    + "Default: ${DEFAULT-VALUE} (Debian's base-files).")
    Path corpus = LicenceTexts.DEBIAN;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "text-study-report", order = 4,
            description = "Report directory (report.md, results.json). Default: ${DEFAULT-VALUE}.")
    Path out;

    @Option(names = "--json", paramLabel = "FILE", order = 5, description = "Also write the results as JSON.")
    Path json;

    @Option(names = "--force", order = 6, description = "Replace existing outputs.")
    boolean force;

    @Mixin
    ComputeOptions compute = new ComputeOptions();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter stdout = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        List<Long> seedList = StudyOptions.parseSeeds(seeds);
        TextStudyConfig config = quick ? TextStudyConfig.quick(corpus, seedList) : TextStudyConfig.standard(corpus, seedList);
        ResultOutput.checkWritable(out, json, force);
        long start = System.nanoTime();
        try (ComputeScope _ = compute.open()) {
            TextStudy study = new TextStudy(config, TrainingProgress.on(err, MergeProgress.stderrIsTerminal()), err);
            List<TextStudy.SeedResult> results = new ArrayList<>();
            for (long seed : seedList) {
                err.println(StudyRun.seedLine(results.size(), seedList.size(), seed, System.nanoTime() - start));
                err.flush();
                results.add(study.run(seed));
            }
            TextStudyResults all = new TextStudyResults(config, results, ToolVersion.asMap());
            double wall = (System.nanoTime() - start) / 1e9;
            stdout.println("Bits per byte on held-out text, mean ± std over " + results.size() + " seed(s):");
            stdout.print(all.table(false));
            stdout.println();
            for (String finding : all.findings()) stdout.println("- " + finding);
            try (AtomicOutput report = AtomicOutput.begin(out, force)) {
                Files.writeString(report.directory().resolve("report.md"), all.markdown(StudyRun.invocation(spec), wall));
                Files.writeString(report.directory().resolve("results.json"), all.json());
                report.commit();
            }
            stdout.println("report: " + out.toAbsolutePath().resolve("report.md"));
            if (json != null) {
                ResultOutput.writeFile(json, all.json(), force);
                stdout.println("json: " + json.toAbsolutePath());
            }
            stdout.printf(Locale.ROOT, "wall time: %.0f s%n", wall);
            stdout.flush();
        }
        return 0;
    }
}
