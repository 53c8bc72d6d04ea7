/**
 * The merge algorithms as pure math, free of file formats and command-line parsing.
 *
 * <p>Per tensor ({@link amalgam.merge.algorithms.TensorMerge}): task arithmetic and its sparsified, sign-elected
 * variants ({@link amalgam.merge.algorithms.GeneralizedTaskArithmetic} with a
 * {@link amalgam.merge.algorithms.Sparsifier}), PEFT semantics by default and mergekit's as an option, built by
 * {@link amalgam.merge.algorithms.MergeMethod#tensorMerge}.
 *
 * <p>Per module ({@link amalgam.merge.algorithms.LowRankUpdate}, ΔW = scale·B·A with the scale carried
 * explicitly and folded once, with the weight): {@link amalgam.merge.algorithms.DeltaSpaceMerge} (merge the
 * updates, then truncated SVD: exact and factored for linear, randomized for dense results),
 * {@link amalgam.merge.algorithms.FactorSpaceMerge} (PEFT's factor-wise merge),
 * {@link amalgam.merge.algorithms.Concatenation} ({@code cat}), {@link amalgam.merge.algorithms.LoraLego}
 * (rank-slice clustering) and {@link amalgam.merge.algorithms.SvdClamp}.
 */
package amalgam.merge.algorithms;
