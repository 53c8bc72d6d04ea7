package amalgam.merge.cli;

import amalgam.engine.InputException;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

import java.util.List;

/**
 * Turns an exception escaping a command into what a user should see: one line on stderr,
 * {@code amalgam: error: <where>: <what>}, exit code 2 for problems with the input or usage and 1 for the
 * rest. The stack trace only appears with {@code --debug}.
 */
final class FailureReporter implements CommandLine.IExecutionExceptionHandler,
        CommandLine.IParameterExceptionHandler {

    static final int BAD_INPUT = 2;
    static final int FAILURE = 1;

    /**
     * The JVM's resource errors, as an exception this reporter sees: picocli hands only {@link Exception}s to
     * handlers, so a StackOverflowError or OutOfMemoryError would otherwise end the run with a raw stack trace.
     */
    static final class ResourceExhausted extends RuntimeException {
        ResourceExhausted(VirtualMachineError cause) {
            super(cause instanceof OutOfMemoryError
                    ? "out of memory (" + cause.getMessage() + "); give the JVM more with AMALGAM_JAVA_OPTS=-Xmx…, "
                            + "or fewer threads or smaller inputs"
                    : "the computation nested too deeply (StackOverflowError): a pathological input, such as a "
                            + "regular expression that backtracks without bound", cause);
        }
    }

    /** {@code strategy} with StackOverflowError and OutOfMemoryError turned into {@link ResourceExhausted}. */
    static CommandLine.IExecutionStrategy reportingErrors(CommandLine.IExecutionStrategy strategy) {
        return parseResult -> {
            try {
                return strategy.execute(parseResult);
            } catch (CommandLine.ExecutionException e) {
                throw e;
            } catch (StackOverflowError | OutOfMemoryError e) {
                CommandLine leaf = parseResult.asCommandLineList().getLast();
                return new FailureReporter().handleExecutionException(new ResourceExhausted(e), leaf, parseResult);
            }
        };
    }

    @Override
    public int handleExecutionException(Exception exception, CommandLine commandLine, ParseResult parseResult) {
        boolean userError = exception instanceof InputException;
        String message = exception.getMessage() == null ? "" : exception.getMessage();
        String line = userError || exception instanceof ResourceExhausted ? message
                : exception.getClass().getSimpleName() + (message.isEmpty() ? "" : ": " + message);
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
        command.getErr().println("amalgam: error: " + exception.getMessage().replace('\n', ' ')
                + suggestion(exception) + " (see " + help + ")");
        command.getErr().flush();
        return BAD_INPUT;
    }

    /**
     * "; did you mean --density?" for a misspelt command or option: picocli's closest suggestion (its later ones
     * are often far off, such as synthetic-adapters for "merg").
     */
    private static String suggestion(CommandLine.ParameterException exception) {
        if (!(exception instanceof CommandLine.UnmatchedArgumentException unmatched)) return "";
        List<String> suggestions = unmatched.getSuggestions();
        if (suggestions.isEmpty()) return "";
        return "; did you mean " + suggestions.getFirst() + "?";
    }

    private static boolean debugRequested(ParseResult parseResult) {
        for (ParseResult level = parseResult; level != null; level = level.subcommand()) {
            if (level.hasMatchedOption("--debug")) return true;
        }
        return false;
    }
}
