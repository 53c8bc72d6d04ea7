package amalgam.merge.pipeline;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** The version Maven filtered into {@code amalgam/version.properties}: what {@code --version} prints and recipes record. */
public final class ToolVersion {

    private ToolVersion() {}

    /** The project version, or "unknown" when run from classes built without Maven's filtering. */
    public static String get() {
        Properties properties = new Properties();
        try (InputStream in = ToolVersion.class.getResourceAsStream("/amalgam/version.properties")) {
            if (in != null) properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return properties.getProperty("version", "unknown");
    }
}
