/**
 * Files in and out: the safetensors format (validated memory-mapped reads, streaming writes), fp16/bf16
 * conversions, strict JSON parsing for untrusted headers and configs, and atomic output directories.
 * Every problem with a user's file surfaces as an {@link amalgam.engine.InputException} naming it.
 */
package amalgam.engine.io;
