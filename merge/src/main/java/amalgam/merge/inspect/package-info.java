/**
 * What a user checks before choosing a merge, as a library: one adapter's modules with their norms and
 * singular-value spectra ({@link amalgam.merge.inspect.AdapterInspection}), and several adapters compared module
 * by module, by the cosine of their updates and the agreement of their signs
 * ({@link amalgam.merge.inspect.AdapterComparison}). Everything is measured from the low-rank factors
 * ({@link amalgam.merge.algorithms.LowRankOps}, {@link amalgam.merge.algorithms.SignAgreement}), never from a
 * dense ΔW, and modules are listed in {@link amalgam.merge.adapter.NaturalOrder}. {@code amalgam inspect} prints
 * these as a table or as JSON.
 */
package amalgam.merge.inspect;
