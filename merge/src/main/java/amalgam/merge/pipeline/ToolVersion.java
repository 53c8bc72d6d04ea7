package amalgam.merge.pipeline;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * What produced an output, for the records written beside results: the version Maven filtered into
 * {@code amalgam/version.properties}, and the source commit the launcher passes as {@code -Damalgam.commit}
 * (git's short hash, "-dirty" with uncommitted changes; "unknown" outside a launcher, e.g. in tests).
 */
public final class ToolVersion {

    private ToolVersion() {}

    public static String version() {
        Properties properties = new Properties();
        try (InputStream in = ToolVersion.class.getResourceAsStream("/amalgam/version.properties")) {
            if (in != null) properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return properties.getProperty("version", "unknown");
    }

    public static String commit() {
        String commit = System.getProperty("amalgam.commit", "");
        return commit.isBlank() ? "unknown" : commit.strip();
    }

    /** {"name": "amalgam", "version": …, "commit": …}, for JSON records. */
    public static Map<String, String> asMap() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("name", "amalgam");
        m.put("version", version());
        m.put("commit", commit());
        return m;
    }
}
