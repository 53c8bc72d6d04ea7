/**
 * The domain-incremental study behind {@code amalgam dil} and {@code amalgam demo}: four {@link
 * amalgam.merge.dil.Domain}s made from Fashion-MNIST, a base TinyViT and one LoRA per domain ({@link
 * amalgam.merge.dil.ModelTraining}), fixed against learned merge coefficients and three baselines ({@link
 * amalgam.merge.dil.DilExperiment}), and the results as tables, a markdown report with plots, and JSON.
 */
package amalgam.merge.dil;
