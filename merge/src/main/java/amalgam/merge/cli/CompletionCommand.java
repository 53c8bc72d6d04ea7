package amalgam.merge.cli;

import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code amalgam completion}: picocli's completion script for bash (and zsh through bashcompinit), generated
 * from the same annotations as the help, so it knows every command, option and method name there is.
 */
@Command(name = "completion", mixinStandardHelpOptions = true,
        description = {
                "Print a shell completion script for amalgam: commands, options and their values complete with Tab.",
                "",
                "  bash:  source <(./amalgam completion)",
                "  zsh:   autoload -U +X bashcompinit && bashcompinit",
                "         source <(./amalgam completion)",
                "",
                "To keep it, save the script where bash-completion looks:",
                "  ./amalgam completion > ~/.local/share/bash-completion/completions/amalgam",
                "",
                "The script completes the command name `amalgam`: put the launcher (or the bundle's bin/) on PATH."})
public final class CompletionCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().getOut().print(AutoComplete.bash("amalgam", spec.root().commandLine()));
        spec.commandLine().getOut().flush();
    }
}
