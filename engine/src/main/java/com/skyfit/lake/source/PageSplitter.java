package com.skyfit.lake.source;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the boundaries of a page's records without judging their content: strings are skipped by
 * their quotes and escapes only, so a raw TAB, a raw line break or invalid UTF-8 inside one record
 * does not hide where the next record starts. Each record is then parsed on its own by a strict
 * parser; only a page whose structure is broken (truncated, not JSON) cannot be split.
 */
final class PageSplitter {

    /** Byte range [start, end) of one JSON value in the body. */
    record Span(int start, int end) {}

    /** A member of the envelope object: its name and the byte range of its value. */
    record Member(String name, Span value) {}

    /** The records in order, and the other members of the envelope (empty for a bare array). */
    record Split(List<Span> records, List<Member> envelope) {}

    /** The page has no recognisable record structure. */
    static final class Unsplittable extends Exception {
        Unsplittable(String message) {
            super(message);
        }
    }

    private final byte[] b;
    private int pos;

    private PageSplitter(byte[] body) {
        this.b = body;
    }

    static Split split(byte[] body, String recordsField) throws Unsplittable {
        return new PageSplitter(body).page(recordsField);
    }

    private Split page(String recordsField) throws Unsplittable {
        List<Span> records = new ArrayList<>();
        List<Member> envelope = new ArrayList<>();
        ws();
        if (recordsField == null) {
            expect('[', "a JSON array");
            array(records);
        } else {
            expect('{', "a JSON object");
            ws();
            if (peek() == '}') {
                pos++;
            } else {
                while (true) {
                    ws();
                    if (peek() != '"') {
                        throw new Unsplittable("expected a field name at byte " + pos);
                    }
                    int ks = pos;
                    string();
                    String name = new String(b, ks + 1, pos - ks - 2, StandardCharsets.UTF_8);
                    ws();
                    expect(':', "':' after a field name");
                    ws();
                    if (name.equals(recordsField) && peek() == '[') {
                        pos++;
                        array(records);
                    } else {
                        int vs = pos;
                        value();
                        envelope.add(new Member(name, new Span(vs, pos)));
                    }
                    ws();
                    int c = next();
                    if (c == '}') {
                        break;
                    }
                    if (c != ',') {
                        throw new Unsplittable("expected ',' or '}' at byte " + (pos - 1));
                    }
                }
            }
        }
        ws();
        if (pos != b.length) {
            throw new Unsplittable("unexpected bytes after the JSON value at byte " + pos);
        }
        return new Split(records, envelope);
    }

    /** The elements of an array whose '[' was just consumed. */
    private void array(List<Span> out) throws Unsplittable {
        ws();
        if (peek() == ']') {
            pos++;
            return;
        }
        while (true) {
            ws();
            int start = pos;
            value();
            out.add(new Span(start, pos));
            ws();
            int c = next();
            if (c == ']') {
                return;
            }
            if (c != ',') {
                throw new Unsplittable("expected ',' or ']' after record " + out.size() + " at byte " + (pos - 1));
            }
        }
    }

    private void value() throws Unsplittable {
        int c = peek();
        if (c == '"') {
            string();
        } else if (c == '{' || c == '[') {
            composite();
        } else if (c < 0) {
            throw new Unsplittable("the response ends in the middle of a value");
        } else {
            int start = pos;
            while (pos < b.length && !isDelimiter(b[pos])) {
                pos++;
            }
            if (pos == start) {
                throw new Unsplittable("unexpected '" + (char) c + "' at byte " + pos);
            }
        }
    }

    /** An object or array, counted by brackets; strings inside are skipped whole. */
    private void composite() throws Unsplittable {
        int depth = 0;
        while (pos < b.length) {
            byte c = b[pos];
            if (c == '"') {
                string();
                continue;
            }
            pos++;
            if (c == '{' || c == '[') {
                depth++;
            } else if (c == '}' || c == ']') {
                if (--depth == 0) {
                    return;
                }
            }
        }
        throw new Unsplittable("the response ends inside an object or array");
    }

    private void string() throws Unsplittable {
        pos++;
        while (pos < b.length) {
            byte c = b[pos++];
            if (c == '\\') {
                pos++;
            } else if (c == '"') {
                return;
            }
        }
        throw new Unsplittable("the response ends inside a string");
    }

    private void ws() {
        while (pos < b.length && (b[pos] == ' ' || b[pos] == '\n' || b[pos] == '\r' || b[pos] == '\t')) {
            pos++;
        }
    }

    private int peek() {
        return pos < b.length ? b[pos] & 0xff : -1;
    }

    private int next() {
        return pos < b.length ? b[pos++] & 0xff : -1;
    }

    private void expect(char c, String what) throws Unsplittable {
        if (next() != c) {
            throw new Unsplittable("response is not " + what);
        }
    }

    private static boolean isDelimiter(byte c) {
        return c == ',' || c == ']' || c == '}' || c == ' ' || c == '\n' || c == '\r' || c == '\t';
    }

    /**
     * One bronze line from the bytes of a value, kept as sent except for line breaks: between tokens
     * they are dropped, inside a string (where JSON forbids them raw) they become their escapes, the
     * only reading of them the sender can have meant.
     */
    static byte[] oneLine(byte[] body, int start, int end) {
        boolean any = false;
        for (int i = start; i < end; i++) {
            if (body[i] == '\n' || body[i] == '\r') {
                any = true;
                break;
            }
        }
        if (!any) {
            byte[] out = new byte[end - start];
            System.arraycopy(body, start, out, 0, out.length);
            return out;
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(end - start + 16);
        boolean inString = false;
        for (int i = start; i < end; i++) {
            byte c = body[i];
            if (inString) {
                if (c == '\\' && i + 1 < end) {
                    out.write(c);
                    out.write(body[++i]);
                    continue;
                }
                if (c == '"') {
                    inString = false;
                } else if (c == '\n' || c == '\r') {
                    out.write('\\');
                    out.write(c == '\n' ? 'n' : 'r');
                    continue;
                }
                out.write(c);
            } else if (c != '\n' && c != '\r') {
                if (c == '"') {
                    inString = true;
                }
                out.write(c);
            }
        }
        return out.toByteArray();
    }
}
