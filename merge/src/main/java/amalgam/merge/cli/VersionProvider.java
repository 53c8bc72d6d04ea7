package amalgam.merge.cli;

import amalgam.merge.pipeline.ToolVersion;
import picocli.CommandLine;

/** {@code --version}: the tool's version and commit ({@link ToolVersion}), plus the runtime it runs on. */
final class VersionProvider implements CommandLine.IVersionProvider {

    @Override
    public String[] getVersion() {
        return new String[] {
                "amalgam " + ToolVersion.version() + " (commit " + ToolVersion.commit() + ")",
                "Java " + Runtime.version() + " (" + System.getProperty("java.vm.name") + ")"
        };
    }
}
