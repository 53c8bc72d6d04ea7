/**
 * Adaptive merging: merge coefficients learned rather than chosen, on any engine model. {@link
 * amalgam.merge.adaptive.MaskedDeltas} makes task arithmetic, TIES and DARE-TIES linear in the weights (masks,
 * elected signs and divisors fixed from the unweighted updates); {@link amalgam.merge.adaptive.AdaptiveMerge}
 * builds the merged weights in the autograd graph and runs the model's own forward with them ({@link
 * amalgam.engine.nn.WeightSubstitution}); a {@link amalgam.merge.adaptive.Buffer} scores it — labelled images
 * ({@link amalgam.merge.adaptive.LabelledImages}, read from class folders by {@link
 * amalgam.merge.adaptive.ImageFolderBuffer}) or token sequences ({@link amalgam.merge.adaptive.TokenBuffer},
 * read from JSONL by {@link amalgam.merge.adaptive.TextBufferFile}); {@link amalgam.merge.adaptive.Coefficients}
 * parameterises the weights (sigmoid with a learned or fixed scale, softmax, tanh, none, leaky ReLU); {@link
 * amalgam.merge.adaptive.CoefficientTraining} tunes them by Adam, {@link amalgam.merge.adaptive.LoraHubTuning}
 * without gradients (CMA-ES).
 */
package amalgam.merge.adaptive;
