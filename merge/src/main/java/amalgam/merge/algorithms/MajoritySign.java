package amalgam.merge.algorithms;

/** How TIES elects the sign of each entry (`--majority-sign`). A sum of exactly 0 elects +. */
public enum MajoritySign {
    /** Sign of the sum of the values. */
    TOTAL,
    /** Sign of the sum of the signs (a vote per adapter). */
    FREQUENCY
}
