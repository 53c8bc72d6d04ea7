package amalgam.merge.adaptive;

/** Whether each adapter has one learned weight, or one per adapted module ({@code --granularity}). */
public enum Granularity {
    ADAPTER, MODULE;

    /** Coefficient columns for {@code modules} adapted modules. */
    public int groups(int modules) {
        return this == ADAPTER ? 1 : modules;
    }

    /** Which coefficient column module {@code index} uses. */
    public int groupOf(int moduleIndex) {
        return this == ADAPTER ? 0 : moduleIndex;
    }
}
