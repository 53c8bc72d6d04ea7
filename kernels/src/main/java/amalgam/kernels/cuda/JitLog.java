package amalgam.kernels.cuda;

import java.nio.charset.StandardCharsets;

/**
 * The driver's JIT logs of a module load (CU_JIT_ERROR_LOG_BUFFER, CU_JIT_INFO_LOG_BUFFER), turned into the
 * one-line failure a user reads: the error code alone ("CUDA_ERROR_INVALID_PTX") says nothing of which
 * kernel or instruction the driver refused, and the log does.
 */
final class JitLog {

    /** Bytes per log buffer: room for a screenful of ptxas messages; the driver truncates beyond it. */
    static final int BYTES = 16 * 1024;

    private JitLog() {}

    /** The NUL-terminated text in a log buffer, lines joined by "; ", or "" for an empty log. */
    static String text(byte[] buffer) {
        if (buffer == null) return "";
        int end = 0;
        while (end < buffer.length && buffer[end] != 0) end++;
        String text = new String(buffer, 0, end, StandardCharsets.UTF_8).strip();
        return String.join("; ", text.lines().map(String::strip).filter(line -> !line.isEmpty()).toList());
    }

    /** "could not load CUDA module <image>: <driver error>; JIT error log: …; JIT info log: …" (empty logs left out). */
    static String failure(String image, String driverError, byte[] errorLog, byte[] infoLog) {
        StringBuilder message = new StringBuilder("could not load CUDA module ").append(image).append(": ")
                .append(driverError);
        String error = text(errorLog), info = text(infoLog);
        if (!error.isEmpty()) message.append("; JIT error log: ").append(error);
        if (!info.isEmpty()) message.append("; JIT info log: ").append(info);
        if (error.isEmpty() && info.isEmpty()) message.append(" (the driver left no JIT log)");
        return message.toString();
    }
}
