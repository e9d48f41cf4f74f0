package com.skyfit.lake.staging;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Decides whether one bronze line is something PostgreSQL will take as jsonb, and if not, why.
 * Besides JSON syntax it applies jsonb's own refusals (a \u0000 escape, a lone UTF-16 surrogate, a
 * number outside numeric's range), so a line it accepts does not abort the COPY a second time.
 * The parser's own size limits are lifted to what jsonb takes: the line's length is capped before it
 * gets here, and a line jsonb stores must not be called invalid here.
 */
final class LineChecker {
    /** PostgreSQL 17 takes nesting this deep with its default max_stack_depth (2 MB); measured. */
    static final int MAX_DEPTH = 10_000;
    private static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_DEPTH)
                    .maxNumberLength(Integer.MAX_VALUE)
                    .maxStringLength(Integer.MAX_VALUE)
                    .maxNameLength(Integer.MAX_VALUE)
                    .maxDocumentLength(-1)
                    .build())
            .build();

    /** The reason a line is not valid jsonb, or null when it is. */
    String problem(byte[] line, int len) {
        String encoding = utf8Problem(line, len);
        if (encoding != null) {
            return encoding;
        }
        try (JsonParser p = JSON.createParser(line, 0, len)) {
            JsonToken t = p.nextToken();
            if (t == null) {
                return "empty line";
            }
            while (t != null) {
                if (t == JsonToken.VALUE_STRING || t == JsonToken.FIELD_NAME) {
                    String s = p.getText();
                    String bad = jsonbProblem(s);
                    if (bad != null) {
                        return at(p.currentLocation(), bad);
                    }
                } else if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT) {
                    String bad = JsonbNumbers.problem(p.getText());
                    if (bad != null) {
                        return at(p.currentLocation(), bad);
                    }
                }
                if (p.currentToken().isStructEnd() || p.currentToken().isScalarValue()) {
                    if (p.getParsingContext().inRoot()) {
                        JsonToken extra = p.nextToken();
                        return extra == null ? null : at(p.currentLocation(), "more than one JSON value on the line");
                    }
                }
                t = p.nextToken();
            }
            return "incomplete JSON value";
        } catch (JsonProcessingException e) {
            return at(e.getLocation(), e.getOriginalMessage());
        } catch (IOException e) {
            return "unreadable line: " + e.getMessage();
        }
    }

    private static String utf8Problem(byte[] line, int len) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(line, 0, len);
        try {
            decoder.decode(in);
            return null;
        } catch (CharacterCodingException e) {
            int pos = in.position();
            return "not valid UTF-8 (byte 0x" + Integer.toHexString(line[Math.min(pos, len - 1)] & 0xff)
                    + " near column " + (pos + 1) + ")";
        }
    }

    private static String jsonbProblem(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == 0) {
                return "\\u0000 cannot be stored in jsonb";
            }
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    return "lone Unicode high surrogate";
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return "lone Unicode low surrogate";
            }
        }
        return null;
    }

    private static String at(JsonLocation loc, String message) {
        String where = loc == null ? "" : "column " + loc.getColumnNr() + ": ";
        return where + clean(message);
    }

    /** Parser messages quote the offending character; keep them printable and one line. */
    static String clean(String message) {
        if (message == null) {
            return "invalid JSON";
        }
        StringBuilder sb = new StringBuilder(Math.min(message.length(), 500));
        for (int i = 0; i < message.length() && sb.length() < 500; i++) {
            char c = message.charAt(i);
            sb.append(c < 0x20 || c == 0x7f || c == '\uFFFD' ? '?' : c);
        }
        return sb.toString();
    }
}
