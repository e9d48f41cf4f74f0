package com.skyfit.lake.source;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * Reads one response page: each record goes to the sink as the very bytes the server sent (sliced
 * by offsets, never re-serialised, so 7253394974479.0 stays 7253394974479.0), while the envelope
 * around the records (paging metadata) is kept as a small tree.
 *
 * <p>A record the strict parser refuses (a raw TAB in a string, invalid UTF-8) still goes to the sink
 * as its raw bytes: staging keeps it as an invalid row with the parser's reason, and the page's other
 * records go on. A page whose structure cannot be split at all goes to the sink whole, as one line.
 */
final class PageParser {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonFactory FACTORY = MAPPER.getFactory();

    /**
     * What one page held. {@code unparsable} counts records sent on as raw lines; {@code damage} says
     * why part of the page (a record, an envelope field, the whole page) could not be read, or null.
     * {@code split} is false when the page was kept whole; {@code envelopeDamaged} when a field of the
     * envelope was unreadable and left out of {@code envelope}. {@code served} counts the records the server sent
     * (paging counts those), {@code records} those handed to the sink.
     */
    record Result(int records, JsonNode envelope, Instant maxCursor, int unparsable, boolean split,
                  boolean envelopeDamaged, String damage, int served) {
        Result(int records, JsonNode envelope, Instant maxCursor, int unparsable, boolean split,
               boolean envelopeDamaged, String damage) {
            this(records, envelope, maxCursor, unparsable, split, envelopeDamaged, damage, records);
        }
    }

    private final String recordsField;
    private final String cursorField;

    PageParser(String recordsField, String cursorField) {
        this.recordsField = recordsField;
        this.cursorField = cursorField;
    }

    Result parse(byte[] body, RecordSink sink) throws IOException {
        return parse(body, sink, null);
    }

    /**
     * As above; a record whose cursor is at or after {@code before} (null: no bound) is left out: an API whose window
     * end is inclusive sends the records at the end itself, which belong to the next window.
     */
    Result parse(byte[] body, RecordSink sink, Instant before) throws IOException {
        PageSplitter.Split split;
        try {
            split = PageSplitter.split(body, recordsField);
        } catch (PageSplitter.Unsplittable e) {
            sink.accept(PageSplitter.oneLine(body, 0, body.length));
            return new Result(1, null, null, 1, false, true, e.getMessage());
        }
        int unparsable = 0;
        String damage = null;
        Instant max = null;
        int n = 0;
        int kept = 0;
        for (PageSplitter.Span r : split.records()) {
            n++;
            byte[] line = PageSplitter.oneLine(body, r.start(), r.end());
            try {
                Instant t = walk(line);
                if (t != null && before != null && !t.isBefore(before)) {
                    continue;
                }
                if (t != null && (max == null || t.isAfter(max))) {
                    max = t;
                }
            } catch (JsonProcessingException e) {
                unparsable++;
                if (damage == null) {
                    damage = "record " + n + " of the page: " + clean(e.getOriginalMessage());
                }
            }
            sink.accept(line);
            kept++;
        }
        if (recordsField == null) {
            return new Result(kept, null, max, unparsable, true, false, damage, n);
        }
        ObjectNode envelope = MAPPER.createObjectNode();
        boolean envelopeDamaged = false;
        for (PageSplitter.Member m : split.envelope()) {
            JsonNode v = readLeniently(body, m.value());
            if (v == null) {
                envelopeDamaged = true;
                damage = damage == null ? "field \"" + m.name() + "\" of the response is not valid JSON" : damage;
            } else {
                envelope.set(m.name(), v);
            }
        }
        return new Result(kept, envelope, max, unparsable, true, envelopeDamaged, damage, n);
    }

    /**
     * Parses one record strictly to its end (UTF-8 and control characters included), noting the
     * cursor field of its top level on the way.
     */
    private Instant walk(byte[] line) throws IOException {
        Instant max = null;
        try (JsonParser p = FACTORY.createParser(line)) {
            JsonToken first = p.nextToken();
            if (first == JsonToken.START_OBJECT) {
                int depth = 1;
                while (depth > 0) {
                    JsonToken t = p.nextToken();
                    if (t == null) {
                        throw new com.fasterxml.jackson.core.JsonParseException(p, "record ends early");
                    } else if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
                        depth++;
                    } else if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
                        depth--;
                    } else if (depth == 1 && t == JsonToken.FIELD_NAME && p.currentName().equals(cursorField)) {
                        JsonToken v = p.nextToken();
                        Instant c = null;
                        if (v == JsonToken.VALUE_STRING) {
                            c = Timestamps.parse(p.getText());
                        } else if (v == JsonToken.VALUE_NUMBER_INT) {
                            c = epochSeconds(p);
                        } else if (v == JsonToken.START_OBJECT || v == JsonToken.START_ARRAY) {
                            depth++;
                        }
                        if (c != null && (max == null || c.isAfter(max))) {
                            max = c;
                        }
                    } else if (t == JsonToken.VALUE_STRING) {
                        p.getText(); // decodes the string, so invalid UTF-8 is found here, not downstream
                    }
                }
            } else if (first == JsonToken.START_ARRAY) {
                p.skipChildren();
            } else if (first == JsonToken.VALUE_STRING) {
                p.getText();
            }
            if (p.nextToken() != null) {
                throw new com.fasterxml.jackson.core.JsonParseException(p, "more than one value in a record");
            }
        }
        return max;
    }

    /**
     * An envelope field as a tree. A raw control character or invalid UTF-8 in it is forgiven (escaped
     * or replaced), since only paging metadata is read from it; null when it is not JSON even then.
     */
    private static JsonNode readLeniently(byte[] body, PageSplitter.Span s) {
        try {
            return MAPPER.readTree(body, s.start(), s.end() - s.start());
        } catch (IOException e) {
            String text = new String(body, s.start(), s.end() - s.start(), StandardCharsets.UTF_8);
            StringBuilder sb = new StringBuilder(text.length());
            boolean inString = false;
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if (inString && c == '\\' && i + 1 < text.length()) {
                    sb.append(c).append(text.charAt(++i));
                } else if (inString && c < 0x20) {
                    sb.append(String.format("\\u%04x", (int) c));
                } else {
                    inString ^= c == '"';
                    sb.append(c);
                }
            }
            try {
                return MAPPER.readTree(sb.toString());
            } catch (IOException again) {
                return null;
            }
        }
    }

    /** Parser messages quote the offending character; keep them printable and one line. */
    private static String clean(String message) {
        if (message == null) {
            return "invalid JSON";
        }
        StringBuilder sb = new StringBuilder(Math.min(message.length(), 300));
        for (int i = 0; i < message.length() && sb.length() < 300; i++) {
            char c = message.charAt(i);
            sb.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        return sb.toString();
    }

    /**
     * A whole-number cursor as epoch seconds; one too large for a date (or for a long) gives the record no cursor,
     * and the record itself is kept as it came.
     */
    private static Instant epochSeconds(JsonParser p) throws java.io.IOException {
        JsonParser.NumberType type = p.getNumberType();
        if (type != JsonParser.NumberType.INT && type != JsonParser.NumberType.LONG) {
            return null;
        }
        try {
            return Instant.ofEpochSecond(p.getLongValue());
        } catch (java.time.DateTimeException e) {
            return null;
        }
    }
}
