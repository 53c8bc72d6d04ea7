package amalgam.merge.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** The {@code amalgam} command line: the root command, its subcommands, and how failures reach the user. */
@Command(name = "amalgam",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = {
                "Run, merge and adaptively merge LoRA adapters on a pure-Java tensor engine.",
                "",
                "Run `amalgam COMMAND --help` for the options of one command.",
                "Exit codes: 0 success, 2 bad usage or bad input, 1 anything else."
        },
        subcommands = {CommandLine.HelpCommand.class, RunCommand.class, SelfCheckCommand.class, InspectCommand.class, MergeCommand.class,
                BenchCommand.class, DistCommand.class, DilCommand.class, DemoCommand.class, TextStudyCommand.class,
                TrainCoefficientsCommand.class, SyntheticAdaptersCommand.class, CompletionCommand.class, ManCommand.class})
public final class AmalgamCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--debug", scope = ScopeType.INHERIT,
            description = "Print the Java stack trace of a failure.")
    boolean debug;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(newCommandLine().execute(args));
    }

    /** The configured command line, shared by {@link #main} and the tests. */
    public static CommandLine newCommandLine() {
        CommandLine commandLine = new CommandLine(new AmalgamCommand());
        MergeCommand.describeMethods(commandLine.getSubcommands().get("merge").getCommandSpec());
        FailureReporter reporter = new FailureReporter();
        commandLine.setExecutionExceptionHandler(reporter);
        commandLine.setParameterExceptionHandler(reporter);
        commandLine.setExecutionStrategy(FailureReporter.reportingErrors(new CommandLine.RunLast()));
        return commandLine;
    }
}
