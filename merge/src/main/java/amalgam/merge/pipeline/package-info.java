/**
 * Merging adapters as a library: {@link amalgam.merge.pipeline.AdapterMerge} opens the inputs
 * ({@link amalgam.merge.pipeline.MergeInputs}), guards the output, chooses each module's rank and merges module
 * after module ({@link amalgam.merge.pipeline.ModuleMerger}) as a validated
 * {@link amalgam.merge.pipeline.MergePlan} says. {@code amalgam merge} parses its options into a plan and calls
 * it; {@code train-coefficients} does the same with the weights it learned.
 */
package amalgam.merge.pipeline;
