package amalgam.merge.adaptive;

/** The merges whose coefficients can be learned through the merge (masks held constant). */
public enum MergeKind {
    TASK_ARITHMETIC("task_arithmetic"), TIES("ties"), DARE_TIES("dare_ties");

    private final String cliName;

    MergeKind(String cliName) {
        this.cliName = cliName;
    }

    /** The name used on the command line and in the JSON results. */
    public String cliName() {
        return cliName;
    }

    public static MergeKind parse(String name) {
        for (MergeKind k : values()) if (k.cliName.equals(name)) return k;
        throw new IllegalArgumentException("expected task_arithmetic, ties or dare_ties, got '" + name + "'");
    }
}
