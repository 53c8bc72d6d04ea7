package amalgam.kernels.ffm;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The project's own C kernels ({@code native/cpu}, built by gcc during the Maven build into one library per
 * {@link NativeVariant} and packaged as class-path resources), loaded once per JVM: the best build this CPU
 * supports, or the one forced with {@code -Damalgam.native.isa=x86-64-v3} (or {@code AMALGAM_NATIVE_ISA}).
 *
 * <p>Loading never throws: where the library cannot be used (not built because gcc was absent, another OS
 * or architecture, a CPU lacking the instructions of every build) {@link #isAvailable()} is false and
 * {@link #unavailableReason()} says why and what to do, so callers can skip or fall back.
 */
public final class NativeLibrary {

    private static final Linker LINKER = Linker.nativeLinker();
    private static final Loaded LOADED = load();

    private record Loaded(SymbolLookup lookup, NativeVariant variant, String reason) {}

    private NativeLibrary() {}

    /** True when the C kernels are loaded and runnable on this CPU. */
    public static boolean isAvailable() {
        return LOADED.lookup != null;
    }

    /** Why the library is not available (null when it is), phrased for a user. */
    public static String unavailableReason() {
        return isAvailable() ? null : LOADED.reason;
    }

    /** The build that was loaded, or null when none is available. */
    public static NativeVariant variant() {
        return LOADED.variant;
    }

    /** One line for selfcheck: which build was loaded and why, or why none was. */
    public static String describe() {
        return isAvailable()
                ? LOADED.variant.march() + " (" + LOADED.variant.resource().substring(LOADED.variant.resource()
                .lastIndexOf('/') + 1) + "): " + LOADED.reason
                : "unavailable: " + LOADED.reason;
    }

    /** Throws with the reason when the library is not available: for constructors of native kernels. */
    static void requireAvailable() {
        if (!isAvailable()) throw new IllegalStateException("native backend unavailable: " + unavailableReason());
    }

    /**
     * A downcall handle for one exported function. {@code critical} calls skip the thread-state transition,
     * which pays only for calls of a few microseconds (a critical call holds up garbage collection), and
     * may be passed heap segments: the GC cannot move an array while the call runs.
     */
    static MethodHandle downcall(String name, FunctionDescriptor descriptor, boolean critical) {
        requireAvailable();
        MemorySegment symbol = LOADED.lookup.find(name)
                .orElseThrow(() -> new IllegalStateException(LOADED.variant.resource() + " lacks the symbol " + name
                        + "; it is older than the Java code: rebuild with mvn package"));
        return critical
                ? LINKER.downcallHandle(symbol, descriptor, Linker.Option.critical(true))
                : LINKER.downcallHandle(symbol, descriptor);
    }

    private static Loaded load() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "");
        if (!os.contains("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            return new Loaded(null, null, "the C kernels are built for linux-x86_64 only, this is " + os + "/" + arch);
        }
        NativeVariantChoice choice = NativeVariantChoice.forThisMachine();
        if (choice.candidates().isEmpty()) return new Loaded(null, null, choice.reason());
        preferSleepingOpenMpThreads();
        List<String> failures = new ArrayList<>();
        for (NativeVariant variant : choice.candidates()) {
            Loaded loaded = loadVariant(variant, choice.reason());
            if (loaded.lookup != null) return loaded;
            failures.add(loaded.reason);
        }
        return new Loaded(null, null, String.join("; ", failures));
    }

    private static Loaded loadVariant(NativeVariant variant, String why) {
        String resource = variant.resource();
        Path file;
        try (InputStream in = NativeLibrary.class.getResourceAsStream(resource)) {
            if (in == null) {
                return new Loaded(null, null, resource + " is not on the class path: gcc was probably absent when"
                        + " the project was built; install gcc and rebuild with mvn package");
            }
            file = extractionTarget(variant);
            file.toFile().deleteOnExit();
            Files.copy(in, file);
        } catch (IOException e) {
            return new Loaded(null, null, "cannot extract " + resource + " to a temporary file: " + e.getMessage());
        }
        SymbolLookup lookup;
        try {
            lookup = SymbolLookup.libraryLookup(file, Arena.global());
        } catch (IllegalArgumentException | IllegalCallerException e) {
            return new Loaded(null, null, "cannot load " + resource + ": " + e.getMessage()
                    + " (is libgomp installed? is --enable-native-access=ALL-UNNAMED set?)");
        }
        return checkCpu(lookup, variant, why);
    }

    /**
     * A new file for this process's copy of the library. Not {@code Files.createTempFile}: its random name
     * seeds a SecureRandom, some 18 ms of every command's start. The process id and the clock make the name
     * unique here, and {@code Files.copy} creates it exclusively (O_EXCL, which follows no planted link), so a
     * name another user took fails the load with a message instead of writing through it.
     */
    private static Path extractionTarget(NativeVariant variant) {
        return Path.of(System.getProperty("java.io.tmpdir"), "libamalgam-" + variant.march() + "-"
                + ProcessHandle.current().pid() + "-" + Long.toHexString(System.nanoTime()) + ".so");
    }

    /**
     * OpenMP threads spin for milliseconds after each parallel region by default. On a machine shared with
     * other work (CI, the 2-core development machines) that spinning takes the cores the other threads
     * need: GEMM at n = 256 on 2 threads measured a median of 5 GFLOP/s spinning against 94 sleeping. So,
     * unless the user chose a policy, set OMP_WAIT_POLICY=passive before libgomp loads and reads it.
     * Set OMP_WAIT_POLICY=active to get spinning back on a dedicated machine.
     */
    private static void preferSleepingOpenMpThreads() {
        if (System.getenv("OMP_WAIT_POLICY") != null || System.getenv("GOMP_SPINCOUNT") != null) return;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment symbol = LINKER.defaultLookup().find("setenv").orElseThrow();
            MethodHandle setenv = LINKER.downcallHandle(symbol, FunctionDescriptor.of(ValueLayout.JAVA_INT,
                    ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
            int ignored = (int) setenv.invokeExact(arena.allocateFrom("OMP_WAIT_POLICY"),
                    arena.allocateFrom("passive"), 0);
        } catch (Throwable t) {
            // Only a performance preference: the kernels work the same without it.
        }
    }

    /** The library's own word, from code compiled for the x86-64 baseline: is it the build it claims, and can it run here. */
    private static Loaded checkCpu(SymbolLookup lookup, NativeVariant variant, String why) {
        String resource = variant.resource();
        try {
            int level = (int) LINKER.downcallHandle(lookup.find("amalgam_built_for_level").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT)).invokeExact();
            if (level != variant.level()) {
                return new Loaded(null, null, resource + " reports being built for level " + level + ", not "
                        + variant.level() + "; rebuild with mvn package");
            }
            int missing = (int) LINKER.downcallHandle(lookup.find("amalgam_cpu_missing_features").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT)).invokeExact();
            if (missing != 0) {
                return new Loaded(null, null, resource + " needs " + variant.march() + " and this CPU lacks it"
                        + " (missing-level mask 0x" + Integer.toHexString(missing) + ")");
            }
            return new Loaded(lookup, variant, why);
        } catch (Throwable t) {
            return new Loaded(null, null, "cannot run the CPU check of " + resource + ": " + t);
        }
    }
}
