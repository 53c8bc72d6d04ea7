package amalgam.merge.inspect;

import amalgam.merge.algorithms.SignAgreement;

/**
 * Two adapters' updates of one module compared.
 *
 * @param first   index of one adapter
 * @param second  index of the other, greater than {@code first}
 * @param cosine  ⟨ΔW_first, ΔW_second⟩_F / (‖ΔW_first‖_F ‖ΔW_second‖_F), exact from the factors; NaN when
 *                either update is zero
 * @param signs   the share of entries nonzero in both whose signs agree, over every row or a sample of rows
 * @param sampled whether {@code signs} counted a sample of rows rather than every entry
 */
public record PairMeasure(int first, int second, double cosine, SignAgreement signs, boolean sampled) {}
