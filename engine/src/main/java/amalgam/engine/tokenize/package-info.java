/**
 * Tokenizers read from Hugging Face {@code tokenizer.json} files, in pure Java, giving the ids the reference
 * {@code tokenizers} library gives. {@link amalgam.engine.tokenize.Tokenizer} is the public API; the rest mirrors
 * the file's parts, one switch per part reading its types: {@code Normalizers}, {@code PreTokenizers},
 * {@code BpeModel} (with {@code BpeWord} for the merge loop), {@code PostProcessors}, {@code Decoders}, and
 * {@code AddedTokenMatcher} for the added tokens. Regexes in the file are Oniguruma's; {@code OnigurumaRegex}
 * translates them. The conformance fixtures and the script that made them are under {@code fixtures/tokenizers}
 * and {@code fixtures/generate/make_tokenizers.py}.
 */
package amalgam.engine.tokenize;
