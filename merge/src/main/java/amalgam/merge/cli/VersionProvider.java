package amalgam.merge.cli;

import amalgam.merge.pipeline.ToolVersion;
import picocli.CommandLine;

/** The project version (as merge recipes record it), plus the runtime it runs on. */
final class VersionProvider implements CommandLine.IVersionProvider {

    @Override
    public String[] getVersion() {
        return new String[] {
                "amalgam " + ToolVersion.get(),
                "Java " + Runtime.version() + " (" + System.getProperty("java.vm.name") + ")"
        };
    }
}
