package amalgam.merge.cli;

import amalgam.engine.io.AtomicOutput;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.codegen.docgen.manpage.ManPageGenerator;

/**
 * {@code amalgam man DIR}: one man page per command, written by picocli's generator from the annotations the
 * help comes from, so the pages cannot drift from the options. picocli writes them as AsciiDoc in the man-page
 * doctype; asciidoctor turns them into troff.
 */
@Command(name = "man", mixinStandardHelpOptions = true,
        description = {
                "Write the manual pages of amalgam and each of its commands (amalgam.adoc, amalgam-merge.adoc, …) "
                        + "into DIR, as AsciiDoc man pages, generated from the same declarations as --help.",
                "",
                "To read them with man:",
                "  ./amalgam man man-pages",
                "  asciidoctor -b manpage man-pages/*.adoc",
                "  man man-pages/amalgam-merge.1"})
public final class ManCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "DIR", description = "The directory to write the pages to (created; see --force).")
    Path directory;

    @Option(names = "--force", description = "Replace DIR if it exists (it is replaced as a whole).")
    boolean force;

    @Override
    public Integer call() throws IOException {
        List<CommandSpec> pages = new ArrayList<>();
        collect(spec.root(), pages);
        try (AtomicOutput output = AtomicOutput.begin(directory, force)) {
            try {
                for (CommandSpec page : pages) {
                    Path file = output.directory().resolve(page.qualifiedName("-") + ".adoc");
                    try (PrintWriter writer = new PrintWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8))) {
                        ManPageGenerator.writeSingleManPage(writer, page);
                    }
                }
            } catch (IOException e) {
                throw output.writeFailure(e);
            }
            output.commit();
        }
        spec.commandLine().getOut().println("wrote " + pages.size() + " pages to " + directory.toAbsolutePath().normalize());
        spec.commandLine().getOut().flush();
        return 0;
    }

    /** The command and its visible subcommands, depth first; picocli's own help command has no page. */
    private static void collect(CommandSpec command, List<CommandSpec> pages) {
        pages.add(command);
        for (CommandLine sub : command.subcommands().values()) {
            CommandSpec child = sub.getCommandSpec();
            if (child.usageMessage().hidden() || child.userObject() instanceof CommandLine.HelpCommand) continue;
            if (!pages.contains(child)) collect(child, pages);
        }
    }
}
