package amalgam.merge.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code amalgam} command line: the root command and its subcommands. */
@Command(name = "amalgam",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = {
                "Run, merge and adaptively merge LoRA adapters on a pure-Java tensor engine.",
                "",
                "Run `amalgam COMMAND --help` for the options of one command."
        },
        subcommands = {CommandLine.HelpCommand.class, InspectCommand.class})
public final class AmalgamCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(newCommandLine().execute(args));
    }

    /** The configured command line, shared by {@link #main} and the tests. */
    public static CommandLine newCommandLine() {
        return new CommandLine(new AmalgamCommand());
    }
}
