/**
 * The text study at small scale: a byte-level Llama-shaped decoder pre-trained by the engine on one licence text
 * of Debian's base-files package, one LoRA per other licence, and the LoRA-recycling question — do merge
 * coefficients learned on a small buffer get their gain from the adapters' content (real LoRAs against random
 * ones of the same norms), and does merging beat training a new LoRA on that same buffer?
 */
package amalgam.merge.textstudy;
