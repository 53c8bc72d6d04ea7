package amalgam.engine.io;

import amalgam.engine.InputException;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * JSON parsing for files from strangers: Jackson with limits tight enough that a hostile document fails fast
 * instead of exhausting memory or the stack, duplicate keys rejected (two tensors of one name would otherwise
 * silently shadow each other), and trailing garbage rejected.
 */
public final class StrictJson {

    /** Safetensors tensor entries nest three deep, metadata two; anything far deeper is an attack. */
    private static final int MAX_NESTING_DEPTH = 32;
    /** Shapes and offsets are at most 20 digits; a 1000-digit number costs quadratic time to parse. */
    private static final int MAX_NUMBER_LENGTH = 64;
    private static final int MAX_NAME_LENGTH = 1 << 16;

    private final ObjectMapper mapper;

    /** A parser for documents of at most {@code maxDocumentBytes}; one string may be that long too. */
    public StrictJson(long maxDocumentBytes) {
        StreamReadConstraints constraints = StreamReadConstraints.builder()
                .maxNestingDepth(MAX_NESTING_DEPTH)
                .maxNumberLength(MAX_NUMBER_LENGTH)
                .maxNameLength(MAX_NAME_LENGTH)
                .maxStringLength((int) Math.min(Integer.MAX_VALUE, maxDocumentBytes))
                .maxDocumentLength(maxDocumentBytes)
                .build();
        // No field-name canonicalization: its symbol table grows in 16 KiB steps, each a full copy, so many long
        // names (a hostile header's tensor names) cost quadratic allocation; each name is kept anyway. Without it
        // Jackson no longer rejects malformed UTF-8 in names, hence requireUtf8.
        JsonFactory factory = JsonFactory.builder()
                .disable(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES)
                .streamReadConstraints(constraints)
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .build();
        this.mapper = new ObjectMapper(factory).enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    }

    /** Parses {@code json}, which must be one JSON object; {@code where} names the source in errors. */
    public ObjectNode parseObject(byte[] json, String where) {
        JsonNode root;
        try {
            requireUtf8(json);
            root = mapper.readTree(json);
        } catch (JacksonException e) {
            throw new InputException(where, "not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new InputException(where, "cannot parse JSON: " + e.getMessage(), e);
        }
        if (root == null || root.isMissingNode()) throw new InputException(where, "empty JSON document");
        if (!root.isObject()) {
            throw new InputException(where, "JSON must be an object, found " + root.getNodeType().name().toLowerCase());
        }
        return (ObjectNode) root;
    }

    /** A streaming parser over {@code json} with the same limits, for callers that validate token by token. */
    public JsonParser parser(byte[] json) throws IOException {
        requireUtf8(json);
        return mapper.getFactory().createParser(json);
    }

    /** Refuses malformed UTF-8 anywhere in the document, decoding through a small fixed buffer. */
    private static void requireUtf8(byte[] json) throws JsonParseException {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(json);
        CharBuffer out = CharBuffer.allocate(1024);
        CoderResult result;
        do {
            out.clear();
            result = decoder.decode(in, out, true);
        } while (result.isOverflow());
        if (!result.isError()) {
            do {
                out.clear();
                result = decoder.flush(out);
            } while (result.isOverflow());
        }
        if (result.isError()) {
            throw new JsonParseException(null, "invalid UTF-8 at byte " + in.position());
        }
    }

    /** The mapper, for writing JSON with the same configuration. */
    public ObjectMapper mapper() {
        return mapper;
    }
}
