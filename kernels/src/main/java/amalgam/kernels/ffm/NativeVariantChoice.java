package amalgam.kernels.ffm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which build of the C library to load, decided before loading any: the one the user forced
 * ({@value #PROPERTY} or {@value #ENVIRONMENT}), else the best one whose flags the CPU reports. A pure function
 * of its inputs so that tests can feed it the flags of CPUs they do not run on.
 *
 * @param candidates variants to try in order (the library confirms each with its own CPU check); empty when
 *                   none may be loaded
 * @param reason     why, for {@code amalgam selfcheck} and for the unavailable message
 */
record NativeVariantChoice(List<NativeVariant> candidates, String reason) {

    static final String PROPERTY = "amalgam.native.isa";
    static final String ENVIRONMENT = "AMALGAM_NATIVE_ISA";

    /** The choice for this JVM and CPU. */
    static NativeVariantChoice forThisMachine() {
        String forced = System.getProperty(PROPERTY);
        String forcedBy = "-D" + PROPERTY;
        if (forced == null || forced.isBlank()) {
            forced = System.getenv(ENVIRONMENT);
            forcedBy = ENVIRONMENT;
        }
        return choose(forced, forcedBy, cpuFlags(Path.of("/proc/cpuinfo")));
    }

    /**
     * @param forced   a variant's march name, or null/blank for the automatic choice
     * @param forcedBy how the user said it, for messages
     * @param cpuFlags the CPU's flags, or null where they cannot be read (then the library's own check decides)
     */
    static NativeVariantChoice choose(String forced, String forcedBy, Set<String> cpuFlags) {
        if (forced != null && !forced.isBlank()) {
            NativeVariant variant = NativeVariant.byMarch(forced.trim());
            if (variant == null) {
                return new NativeVariantChoice(List.of(), forcedBy + "=" + forced + " names no build; use one of "
                        + Arrays.stream(NativeVariant.values()).map(NativeVariant::march).collect(Collectors.joining(", ")));
            }
            if (cpuFlags != null && !variant.missingFrom(cpuFlags).isEmpty()) {
                return new NativeVariantChoice(List.of(), forcedBy + "=" + forced + " but this CPU lacks "
                        + String.join(" ", variant.missingFrom(cpuFlags)));
            }
            return new NativeVariantChoice(List.of(variant), "forced by " + forcedBy + "=" + forced);
        }
        List<NativeVariant> bestFirst = new ArrayList<>(List.of(NativeVariant.values()).reversed());
        if (cpuFlags == null) {
            return new NativeVariantChoice(bestFirst, "the CPU's flags are unreadable; the best build whose CPU"
                    + " check passes");
        }
        for (NativeVariant variant : bestFirst) {
            if (!variant.missingFrom(cpuFlags).isEmpty()) continue;
            NativeVariant better = variant.ordinal() + 1 < NativeVariant.values().length
                    ? NativeVariant.values()[variant.ordinal() + 1] : null;
            String reason = "the CPU has " + String.join(" ", variant.addedFlags())
                    + (better == null ? "" : "; it lacks " + String.join(" ", better.missingFrom(cpuFlags))
                    + " for " + better.march());
            return new NativeVariantChoice(List.of(variant), reason);
        }
        NativeVariant lowest = NativeVariant.values()[0];
        return new NativeVariantChoice(List.of(), "the C kernels need at least " + lowest.march()
                + " and this CPU lacks " + String.join(" ", lowest.missingFrom(cpuFlags)));
    }

    /** The flags of the first processor in a /proc/cpuinfo, or null where there is none to read. */
    static Set<String> cpuFlags(Path cpuinfo) {
        try {
            for (String line : Files.readAllLines(cpuinfo)) {
                if (line.startsWith("flags")) {
                    int colon = line.indexOf(':');
                    if (colon < 0) continue;
                    return Set.copyOf(Arrays.asList(line.substring(colon + 1).trim().split("\\s+")));
                }
            }
            return null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
