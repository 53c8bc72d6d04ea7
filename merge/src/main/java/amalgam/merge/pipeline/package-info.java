/**
 * Merging adapters as a library: {@link amalgam.merge.pipeline.AdapterMerge} opens the inputs
 * ({@link amalgam.merge.pipeline.MergeInputs}), guards the output, chooses each module's rank and merges module
 * after module ({@link amalgam.merge.pipeline.ModuleMerger}) as a validated
 * {@link amalgam.merge.pipeline.MergePlan} says. A plan is validated from a
 * {@link amalgam.merge.pipeline.MergeRequest}, which the command-line options
 * ({@link amalgam.merge.pipeline.MergeOptions}) and mergekit-style config files
 * ({@link amalgam.merge.pipeline.MergeConfig}) both produce, against the parameters each method declares. Every
 * output records its {@link amalgam.merge.pipeline.MergeRecipe}. {@code amalgam merge} parses its options or
 * config into a plan and calls it; {@code train-coefficients} does the same with the weights it learned.
 */
package amalgam.merge.pipeline;
