package amalgam.merge.adaptive;

/** Whether each adapter has one learned weight, or one per adapted module ({@code --granularity}). */
public enum Granularity {
    ADAPTER("adapter"), MODULE("module");

    private final String cliName;

    Granularity(String cliName) {
        this.cliName = cliName;
    }

    /** The name used on the command line and in the JSON results. */
    public String cliName() {
        return cliName;
    }

    /** Coefficient columns for {@code modules} adapted modules. */
    public int groups(int modules) {
        return this == ADAPTER ? 1 : modules;
    }

    /** Which coefficient column module {@code index} uses. */
    public int groupOf(int moduleIndex) {
        return this == ADAPTER ? 0 : moduleIndex;
    }

    public static Granularity parse(String name) {
        for (Granularity g : values()) if (g.cliName.equals(name)) return g;
        throw new IllegalArgumentException("expected adapter or module, got '" + name + "'");
    }
}
