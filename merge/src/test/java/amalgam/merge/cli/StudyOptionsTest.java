package amalgam.merge.cli;

import amalgam.merge.adaptive.CoefficientActivation;
import amalgam.merge.adaptive.CoefficientRecipe;
import amalgam.merge.adaptive.Granularity;
import amalgam.merge.adaptive.StandardObjective;
import amalgam.merge.dil.DilConfig;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@code amalgam dil} and {@code amalgam demo} share their options: how coefficients are learned reaches the
 * study's configuration (and so its JSON), bad values are refused while parsing, {@code --out} defaults per command.
 */
class StudyOptionsTest {

    @ParameterizedTest
    @ValueSource(strings = {"dil", "demo"})
    void withoutOptionsTheStudyLearnsCoefficientsItsOwnWay(String command) {
        DilConfig config = config(command);
        assertEquals(CoefficientRecipe.study(), config.coefficients());
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L), config.seeds()); // five seeds, as the study asks
        assertEquals(Path.of(command + "-report"), study(command).out);
    }

    @ParameterizedTest
    @ValueSource(strings = {"dil", "demo"})
    void chosenSettingsReachTheConfigJson(String command) throws Exception {
        DilConfig config = config(command, "--activation", "none", "--granularity", "module", "--scale", "fixed",
                "--clamp", "--objective", "entropy", "--seeds", "5,6");
        assertEquals(new CoefficientRecipe(CoefficientActivation.NONE, Granularity.MODULE, false, true,
                StandardObjective.ENTROPY), config.coefficients());
        JsonNode json = new ObjectMapper().readTree(new ObjectMapper().writeValueAsString(config.asMap()));
        assertEquals("none", json.get("activation").asText());
        assertEquals("module", json.get("granularity").asText());
        assertEquals("fixed", json.get("scale").asText());
        assertEquals(true, json.get("clamp").asBoolean());
        assertEquals("entropy", json.get("objective").asText());
        assertEquals(2, json.get("seeds").size());
        assertEquals(Path.of("elsewhere"), study(command, "--out", "elsewhere").out);
    }

    @ParameterizedTest
    @ValueSource(strings = {"dil", "demo"})
    void eachActivationIsAccepted(String command) {
        for (CoefficientActivation a : CoefficientActivation.values()) {
            assertEquals(a, config(command, "--activation", a.cliName()).coefficients().activation());
        }
        assertEquals(Granularity.ADAPTER, config(command, "--granularity", "adapter").coefficients().granularity());
        assertEquals(true, config(command, "--scale", "learned").coefficients().learnScale());
        assertEquals(StandardObjective.CROSS_ENTROPY,
                config(command, "--objective", "cross-entropy").coefficients().objective());
    }

    @ParameterizedTest
    @CsvSource({
            "dil, --activation, relu", "dil, --granularity, layer", "dil, --scale, half", "dil, --objective, mse",
            "demo, --activation, Sigmoid", "demo, --granularity, modules", "demo, --scale, true",
            "demo, --objective, cross_entropy",
            "train-coefficients, --activation, relu", "train-coefficients, --scale, half"})
    void aBadValueIsAOneLineErrorNamingTheOption(String command, String option, String value) {
        MergeRuns.run(command, option, value).assertBadInput("'" + option + "'", "'" + value + "'", command + " --help");
    }

    @ParameterizedTest
    @ValueSource(strings = {"dil", "demo"})
    void clampWithoutActivationNoneIsRefusedBeforeTraining(String command, @TempDir Path dir) {
        MergeRuns.run(command, "--clamp", "--activation", "tanh", "--out", dir.resolve("r").toString())
                .assertBadInput("--clamp", "--activation none");
    }

    @Test
    void theReportIsHeadedByTheCommandLineAsTyped() {
        CommandLine cli = AmalgamCommand.newCommandLine();
        CommandLine dil = cli.parseArgs("dil", "--quick", "--granularity", "module").subcommand().commandSpec().commandLine();
        assertEquals("amalgam dil --quick --granularity module", StudyRun.invocation(dil.getCommandSpec()));
    }

    private static DilConfig config(String command, String... options) {
        Object parsed = parse(command, options);
        return parsed instanceof DilCommand dil ? dil.config() : ((DemoCommand) parsed).config();
    }

    private static StudyOptions study(String command, String... options) {
        Object parsed = parse(command, options);
        return parsed instanceof DilCommand dil ? dil.study : ((DemoCommand) parsed).study;
    }

    private static Object parse(String command, String... options) {
        String[] args = new String[options.length + 1];
        args[0] = command;
        System.arraycopy(options, 0, args, 1, options.length);
        return AmalgamCommand.newCommandLine().parseArgs(args).subcommand().commandSpec().userObject();
    }
}
