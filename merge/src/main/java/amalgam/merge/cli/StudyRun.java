package amalgam.merge.cli;

import amalgam.merge.pipeline.MergeProgress;
import amalgam.merge.pipeline.ToolVersion;
import amalgam.engine.Engine;
import amalgam.engine.data.FashionMnist;
import amalgam.kernels.WorkerPool;
import amalgam.merge.dil.DilConfig;
import amalgam.merge.dil.DilExperiment;
import amalgam.merge.dil.DilResults;
import amalgam.merge.dil.DomainData;
import amalgam.merge.dil.ResultOutput;
import amalgam.merge.dil.ResultTables;
import amalgam.merge.dil.SeedResult;
import amalgam.merge.dil.TrainingProgress;

import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Runs a domain-incremental study for {@code amalgam dil} and {@code amalgam demo}: seeds, tables, outputs. */
final class StudyRun {

    private StudyRun() {}

    /** Runs {@code config} with the seeds, outputs and compute of {@code options}; {@code command} heads the report. */
    static void run(DilConfig config, FashionMnist data, StudyOptions options, String command, PrintWriter out,
                    PrintWriter err) throws IOException {
        config = config.fittedTo(data);
        Path reportDirectory = options.out, json = options.json;
        boolean force = options.force;
        ComputeOptions compute = options.compute;
        ResultOutput.checkWritable(reportDirectory, json, force);
        ResultOutput.checkWritable(options.saveModels, null, force);
        long start = System.nanoTime();
        // The engine's F32 backend is global: put the previous one back, since the pool closes with this run.
        amalgam.kernels.Backend previous = Engine.backend(amalgam.engine.DType.F32);
        String previousGemm = Engine.f32GemmName();
        try (WorkerPool pool = compute.pool()) {
            Engine.useBackend(ComputeOptions.backend(compute.backend, pool), compute.backend);
            TrainingProgress progress = TrainingProgress.on(err, MergeProgress.stderrIsTerminal());
            List<DomainData> domains = DilExperiment.domains(data, config);
            err.printf(Locale.ROOT, "domains ready: %.1f s%n", (System.nanoTime() - start) / 1e9);
            DilExperiment experiment = new DilExperiment(config, domains, progress, err);
            List<SeedResult> seeds = new ArrayList<>();
            long seedsStart = System.nanoTime();
            for (long seed : config.seeds()) {
                err.println(seedLine(seeds.size(), config.seeds().size(), seed, System.nanoTime() - seedsStart));
                err.flush();
                seeds.add(experiment.run(seed, seeds.isEmpty() ? options.saveModels : null, force));
            }
            DilResults results = new DilResults(config, seeds, ToolVersion.asMap());
            double wall = (System.nanoTime() - start) / 1e9;
            out.println("Final accuracy over all four domains (%, mean ± std over " + seeds.size()
                    + " seed(s)); columns: W for fixed rows, b_max for adaptive rows; adaptive: "
                    + config.coefficients().summary() + " (and with " + config.adaptiveRows().get(1).recipe()
                    .activation().cliName() + ")");
            out.print(ResultTables.study(results, false));
            out.println();
            out.println("Per experience: " + config.traceKind().cliName() + " adaptive b_max=" + config.traceBMax()
                    + ", " + config.traceWeightsMeaning() + " and accuracy (%) per domain seen");
            out.print(ResultTables.experiences(results, false));
            out.println();
            if (reportDirectory != null) {
                ResultOutput.writeReport(results, reportDirectory, force, wall, command);
                out.println("report: " + reportDirectory.toAbsolutePath().resolve("report.md"));
            }
            if (json != null) {
                ResultOutput.writeJson(results, json, force);
                out.println("json: " + json.toAbsolutePath());
            }
            if (options.saveModels != null) {
                out.println("models: " + options.saveModels.toAbsolutePath() + " (see its README.md)");
            }
            out.printf(Locale.ROOT, "wall time: %.0f s%n", wall);
            out.flush();
        } finally {
            Engine.useBackend(previous, previousGemm);
        }
    }

    /**
     * "seed 2/5 (seed 1), ~3 min left": which seed starts, and the time the remaining ones will take at the pace
     * of those done (no estimate before the first has finished).
     */
    static String seedLine(int done, int total, long seed, long elapsedNanos) {
        String line = "seed " + (done + 1) + "/" + total + " (seed " + seed + ")";
        if (done == 0) return line + ":";
        double left = elapsedNanos / 1e9 / done * (total - done);
        return line + ", ~" + (left < 90 ? Math.round(left) + " s" : Math.round(left / 60) + " min") + " left:";
    }

    /** The command line as typed, which heads the report. */
    static String invocation(CommandSpec spec) {
        return "amalgam " + String.join(" ", spec.commandLine().getParseResult().originalArgs());
    }
}
