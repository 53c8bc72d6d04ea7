package amalgam.merge.cli;

import amalgam.engine.InputException;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/**
 * Turns an exception escaping a command into what a user should see: one line on stderr,
 * {@code amalgam: error: <where>: <what>}, exit code 2 for problems with the input or usage and 1 for the
 * rest. The stack trace only appears with {@code --debug}.
 */
final class FailureReporter implements CommandLine.IExecutionExceptionHandler,
        CommandLine.IParameterExceptionHandler {

    static final int BAD_INPUT = 2;
    static final int FAILURE = 1;

    @Override
    public int handleExecutionException(Exception exception, CommandLine commandLine, ParseResult parseResult) {
        boolean userError = exception instanceof InputException;
        String message = exception.getMessage() == null ? "" : exception.getMessage();
        String line = userError ? message : exception.getClass().getSimpleName() + (message.isEmpty() ? "" : ": " + message);
        commandLine.getErr().println("amalgam: error: " + line.replace('\n', ' '));
        if (debugRequested(parseResult)) {
            exception.printStackTrace(commandLine.getErr());
        } else if (!userError) {
            commandLine.getErr().println("amalgam: run again with --debug for the stack trace");
        }
        commandLine.getErr().flush();
        return userError ? BAD_INPUT : FAILURE;
    }

    /** A malformed command line: one line naming the option, and where to read about it, instead of the usage. */
    @Override
    public int handleParseException(CommandLine.ParameterException exception, String[] args) {
        CommandLine command = exception.getCommandLine();
        String help = command.getCommandSpec().qualifiedName() + " --help";
        command.getErr().println("amalgam: error: " + exception.getMessage().replace('\n', ' ') + " (see " + help + ")");
        command.getErr().flush();
        return BAD_INPUT;
    }

    private static boolean debugRequested(ParseResult parseResult) {
        for (ParseResult level = parseResult; level != null; level = level.subcommand()) {
            if (level.hasMatchedOption("--debug")) return true;
        }
        return false;
    }
}
