package com.skyfit.lake.staging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.postgresql.copy.CopyIn;
import org.postgresql.util.ByteStreamWriter;

/**
 * The fast path's rows, byte for byte, against a plain reading of the same lines: whatever the lines hold (UTF-8,
 * tabs, leading blanks, blank lines, CRLF endings) and wherever the reads happen to split them.
 */
class FastLineEncoderTest {
    private static final byte[] HEAD = "gym\u0002bronze/p\u0002".getBytes(StandardCharsets.UTF_8);
    private static final byte[] TAIL = "\u0002run\u0002".getBytes(StandardCharsets.UTF_8);

    @Test
    void rowsAreTheLinesVerbatimBehindTheirLineageWhereverTheReadsSplitThem() throws Exception {
        Random random = new Random(7);
        for (int round = 0; round < 300; round++) {
            List<String> lines = new ArrayList<>();
            int n = random.nextInt(40);
            for (int i = 0; i < n; i++) {
                lines.add(line(random));
            }
            String text = String.join(random.nextBoolean() ? "\n" : "\r\n", lines) + (random.nextBoolean() ? "\n" : "");
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            assertThat(encode(bytes, random)).as("round %d: %s", round, text).isEqualTo(expected(text));
        }
    }

    @Test
    void aControlByteOrALoneCarriageReturnAfterALongRunOfPlainBytesStillStopsTheFastPath() {
        String plain = "{\"name\":\"" + "é".repeat(5000) + "x".repeat(70_000);
        for (String bad : List.of("\u0001", "\u001f", "\r\"}", "\u0000")) {
            byte[] bytes = ("{\"ok\":1}\n" + plain + bad + "\"}\n").getBytes(StandardCharsets.UTF_8);
            assertThatThrownBy(() -> encode(bytes, new Random(1)))
                    .isInstanceOf(FastLineEncoder.LineCheckNeeded.class).hasMessageStartingWith("line 2:");
        }
    }

    @Test
    void aLineOverTheCapStopsTheFastPathEvenWhenItHasNoSpecialByte() {
        byte[] bytes = ("{\"a\":\"" + "y".repeat(3000) + "\"}\n").getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> {
            Sink sink = new Sink();
            FastLineEncoder enc = new FastLineEncoder(new CopyBuffer(sink, 4096), 1000);
            enc.beginPart(HEAD, TAIL);
            enc.feed(bytes, 0, bytes.length);
            enc.endPart();
        }).isInstanceOf(FastLineEncoder.LineCheckNeeded.class).hasMessageContaining("longer than 1000 bytes");
    }

    private static String line(Random random) {
        StringBuilder b = new StringBuilder();
        int lead = random.nextInt(4) == 0 ? random.nextInt(3) : 0;
        for (int i = 0; i < lead; i++) {
            b.append(random.nextBoolean() ? ' ' : '\t');
        }
        if (random.nextInt(6) == 0) {
            return b.toString(); // a blank line (or only blanks): no record, still a line
        }
        b.append("{\"k\":\"");
        int len = random.nextInt(random.nextInt(10) == 0 ? 200_000 : 300);
        for (int i = 0; i < len; i++) {
            int kind = random.nextInt(20);
            b.append(kind == 0 ? 'ç' : kind == 1 ? '\t' : kind == 2 ? '€' : kind == 3 ? ' ' : (char) ('a' + random.nextInt(26)));
        }
        return b.append("\"}").toString();
    }

    /** The plain reading: one row per line holding more than blanks, leading blanks dropped, a final CR dropped. */
    private static byte[] expected(String text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].endsWith("\r") ? lines[i].substring(0, lines[i].length() - 1) : lines[i];
            String record = line.replaceFirst("^[ \t]+", "");
            if (record.isEmpty()) {
                continue;
            }
            out.writeBytes(HEAD);
            out.writeBytes(String.valueOf(i + 1).getBytes(StandardCharsets.US_ASCII));
            out.writeBytes(TAIL);
            out.writeBytes(record.getBytes(StandardCharsets.UTF_8));
            out.write('\n');
        }
        return out.toByteArray();
    }

    private static byte[] encode(byte[] bytes, Random random) throws Exception {
        Sink sink = new Sink();
        CopyBuffer buffer = new CopyBuffer(sink, 4096 + random.nextInt(70_000));
        FastLineEncoder enc = new FastLineEncoder(buffer, 1 << 20);
        enc.beginPart(HEAD, TAIL);
        int at = 0;
        while (at < bytes.length) {
            int n = Math.min(bytes.length - at, 1 + random.nextInt(random.nextBoolean() ? 16 : 70_000));
            enc.feed(bytes, at, n);
            at += n;
        }
        enc.endPart();
        buffer.finish();
        return sink.out.toByteArray();
    }

    /** Collects what would go to the server. */
    private static final class Sink implements CopyIn {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();

        @Override
        public synchronized void writeToCopy(byte[] buf, int off, int siz) {
            out.write(buf, off, siz);
        }

        @Override
        public void writeToCopy(ByteStreamWriter from) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void flushCopy() {}

        @Override
        public long endCopy() {
            return 0;
        }

        @Override
        public int getFieldCount() {
            return 0;
        }

        @Override
        public int getFormat() {
            return 0;
        }

        @Override
        public int getFieldFormat(int field) {
            return 0;
        }

        @Override
        public boolean isActive() {
            return false;
        }

        @Override
        public void cancelCopy() {}

        @Override
        public long getHandledRowCount() {
            return 0;
        }
    }
}
