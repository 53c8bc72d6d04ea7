package amalgam.merge.cli;

/**
 * A problem the user can fix (a bad option, a missing file): printed as one line, exit code 2, no stack trace.
 */
public class UsageException extends RuntimeException {
    public UsageException(String message) {
        super(message);
    }

    public UsageException(String message, Throwable cause) {
        super(message, cause);
    }
}
