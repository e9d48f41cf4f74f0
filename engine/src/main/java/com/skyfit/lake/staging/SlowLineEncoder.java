package com.skyfit.lake.staging;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.Arrays;

/**
 * The line-checking path for a part the fast path refused: every line is checked, valid lines go
 * in verbatim, and a line that is not valid jsonb is kept (invariant 3) as a JSON string of its
 * original text with validation_status 'invalid' and the parser's reason. Rows are
 * {@code scope, blob_path, line_no, run_id, raw, validation_status, error_message} (with ingestion_date before
 * raw for a partitioned table: {@link CopyTarget}).
 * Memory is one line at a time, and a line at most the cap: a longer line is not buffered past it; it
 * becomes an invalid row holding its first {@link #KEPT_PREFIX} bytes, its length and the reason.
 */
final class SlowLineEncoder {
    private static final byte D = FastLineEncoder.DELIMITER;
    private static final byte[] VALID = "valid".getBytes(StandardCharsets.UTF_8);
    private static final byte[] INVALID = "invalid".getBytes(StandardCharsets.UTF_8);

    static final int KEPT_PREFIX = 64 * 1024;

    private final CopyBuffer out;
    private final int maxLineBytes;
    private final LineChecker checker = new LineChecker();
    private byte[] line = new byte[64 * 1024];
    /** Bytes of the current line beyond the cap: counted, not kept. */
    private long overflow;
    private long rows;
    private long invalid;
    private long bytes;

    SlowLineEncoder(CopyBuffer out, int maxLineBytes) {
        this.out = out;
        this.maxLineBytes = maxLineBytes;
    }

    long rows() {
        return rows;
    }

    long invalid() {
        return invalid;
    }

    long bytes() {
        return bytes;
    }

    /** Encodes every line of one part; IOExceptions come from reading the part. */
    void encode(InputStream in, byte[] head, byte[] tail) throws IOException, SQLException {
        byte[] chunk = new byte[64 * 1024];
        int len = 0;
        int lineNo = 1;
        int n;
        while ((n = in.read(chunk)) > 0) {
            bytes += n;
            for (int i = 0; i < n; i++) {
                byte c = chunk[i];
                if (c == '\n') {
                    writeLine(head, lineNo++, tail, len);
                    len = 0;
                } else if (len == 0 && (c == ' ' || c == '\t')) {
                    continue; // leading blanks count toward no limit, as on the fast path
                } else if (len < maxLineBytes) {
                    if (len == line.length) {
                        line = Arrays.copyOf(line, (int) Math.min((long) line.length * 2, maxLineBytes));
                    }
                    line[len++] = c;
                } else {
                    overflow++;
                }
            }
        }
        if (len > 0) {
            writeLine(head, lineNo, tail, len);
        }
    }

    private void writeLine(byte[] head, int lineNo, byte[] tail, int len) throws SQLException {
        if (overflow > 0) {
            long length = len + overflow;
            overflow = 0;
            writeInvalid(head, lineNo, tail, Arrays.copyOf(line, Math.min(len, KEPT_PREFIX)), "line is " + length
                    + " bytes, longer than the " + maxLineBytes + "-byte limit (" + LoaderOptions.MAX_LINE_BYTES
                    + "); its first " + Math.min(len, KEPT_PREFIX) + " bytes are kept");
            return;
        }
        int start = 0;
        while (start < len && (line[start] == ' ' || line[start] == '\t' || line[start] == '\r')) {
            start++;
        }
        int end = len;
        while (end > start && (line[end - 1] == ' ' || line[end - 1] == '\t' || line[end - 1] == '\r')) {
            end--;
        }
        if (end == start) {
            return;
        }
        byte[] text = Arrays.copyOfRange(line, start, end);
        String problem = checker.problem(text, text.length);
        if (problem != null) {
            writeInvalid(head, lineNo, tail, text, problem);
            return;
        }
        out.put(head);
        out.putInt(lineNo);
        out.put(tail);
        // a carriage return is JSON whitespace, but CSV would take it for a row end
        for (int i = 0; i < text.length; i++) {
            if (text[i] == '\r') {
                text[i] = ' ';
            }
        }
        out.put(text);
        out.put(D);
        out.put(VALID);
        out.put(D);
        out.put((byte) '\n');
        rows++;
    }

    /** Keeps the line's text as a JSON string with the reason (invariant 3). */
    private void writeInvalid(byte[] head, int lineNo, byte[] tail, byte[] text, String problem) throws SQLException {
        out.put(head);
        out.putInt(lineNo);
        out.put(tail);
        out.put(asJsonString(text));
        out.put(D);
        out.put(INVALID);
        out.put(D);
        out.put(LineChecker.clean(problem).replace((char) D, '?').replace((char) 1, '?')
                .getBytes(StandardCharsets.UTF_8));
        out.put((byte) '\n');
        invalid++;
        rows++;
    }

    /** The line's text as a JSON string: undecodable bytes and NUL become U+FFFD, which jsonb can hold. */
    private static byte[] asJsonString(byte[] text) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
        String s;
        try {
            s = decoder.decode(ByteBuffer.wrap(text)).toString().replace('\0', '\uFFFD');
        } catch (java.nio.charset.CharacterCodingException e) {
            s = "";
        }
        byte[] quoted = JsonStringEncoder.getInstance().quoteAsUTF8(s);
        byte[] json = new byte[quoted.length + 2];
        json[0] = '"';
        System.arraycopy(quoted, 0, json, 1, quoted.length);
        json[json.length - 1] = '"';
        return json;
    }
}
