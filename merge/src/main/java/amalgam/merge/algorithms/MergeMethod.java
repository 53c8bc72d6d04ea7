package amalgam.merge.algorithms;

import java.util.Locale;

/**
 * The `--method` names. Task-arithmetic methods give a {@link TensorMerge}; {@code cat}, {@code svd} and
 * {@code lego} act on whole low-rank updates ({@link Concatenation}, {@link DeltaSpaceMerge#svd},
 * {@link LoraLego}). PEFT's {@code *_svd} names are accepted as delta-space aliases.
 */
public enum MergeMethod {
    LINEAR, CAT, SVD, MAGNITUDE_PRUNE, TIES, DARE_LINEAR, DARE_TIES, BREADCRUMBS, BREADCRUMBS_TIES, DELLA,
    DELLA_LINEAR, LEGO;

    /** The method for a CLI name, PEFT's {@code ties_svd}-style aliases included (case-insensitive). */
    public static MergeMethod fromName(String name) {
        String key = name.trim().toLowerCase(Locale.ROOT).replace('-', '_');
        boolean alias = isDeltaSpaceAlias(key);
        if (alias) key = key.substring(0, key.length() - "_svd".length());
        for (MergeMethod m : values()) {
            // Only merges of dense deltas have an "_svd" form; cat, lego and svd itself do not.
            if (m.cliName().equals(key) && (!alias || (m.isTensorMerge() && m != SVD))) return m;
        }
        throw new IllegalArgumentException("--method: unknown merge method '" + name + "'; expected one of "
                + "linear, cat, svd, ties, dare_linear, dare_ties, magnitude_prune, breadcrumbs, "
                + "breadcrumbs_ties, della, della_linear, lego (or PEFT's *_svd names)");
    }

    /** True for PEFT's names that mean "merge the deltas, then truncated SVD" (ties_svd, dare_linear_svd, …). */
    public static boolean isDeltaSpaceAlias(String name) {
        String key = name.trim().toLowerCase(Locale.ROOT).replace('-', '_');
        return key.endsWith("_svd") && !key.equals("svd");
    }

    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether {@link #tensorMerge} applies (every method but cat and lego). */
    public boolean isTensorMerge() {
        return this != CAT && this != LEGO;
    }

    /** The per-tensor merge of this method; {@code svd} merges like {@code linear} before its refactoring. */
    public TensorMerge tensorMerge(ComputeContext ctx, MergeSettings s) {
        KeepMask seeded = KeepMask.seeded(s.seed());
        MagnitudeSparsifier trim = MagnitudeSparsifier.topDensity(ctx, s.density());
        DareSparsifier dare = new DareSparsifier(ctx, s.density(), s.semantics(), seeded);
        MagnitudeSparsifier crumbs = MagnitudeSparsifier.breadcrumbs(ctx, s.density(), s.gamma());
        DellaSparsifier della = new DellaSparsifier(ctx, s.density(), s.epsilon(), s.semantics(), seeded);
        MajoritySign sign = s.majoritySign();
        return switch (this) {
            case LINEAR, SVD -> build(ctx, s, Sparsifier.NONE, null, false);
            case MAGNITUDE_PRUNE -> build(ctx, s, trim, null, false);
            case TIES -> build(ctx, s, trim, sign, true);
            case DARE_LINEAR -> build(ctx, s, dare, null, false);
            case DARE_TIES -> build(ctx, s, dare, sign, false);
            case BREADCRUMBS -> build(ctx, s, crumbs, null, false);
            case BREADCRUMBS_TIES -> build(ctx, s, crumbs, sign, false);
            case DELLA -> build(ctx, s, della, sign, true);
            case DELLA_LINEAR -> build(ctx, s, della, null, false);
            case CAT, LEGO -> throw new IllegalArgumentException(
                    "--method " + cliName() + ": merges whole low-rank updates, not single tensors");
        };
    }

    private static TensorMerge build(ComputeContext ctx, MergeSettings s, Sparsifier sparsifier,
                                     MajoritySign election, boolean normalizeByDefault) {
        boolean normalize = s.normalize() == null ? normalizeByDefault : s.normalize();
        return new GeneralizedTaskArithmetic(ctx, sparsifier, election, s.semantics(), normalize, s.lambda());
    }
}
