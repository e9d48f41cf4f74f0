package com.skyfit.lake.simulator;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Damage a real API has been seen to send, applied to a list page as it leaves the server: bytes the
 * JSON grammar forbids inside the first record's first string value, or a page cut short.
 */
public enum HostileRecord {
    /** A raw TAB inside a string (JSON requires \t). */
    TAB_IN_STRING(new byte[] {'a', 0x09, 'b'}),
    /** A byte sequence that is not UTF-8 inside a string. */
    INVALID_UTF8(new byte[] {'a', (byte) 0xC3, 0x28, 'b'}),
    /** The page ends halfway: no record structure can be trusted after the cut. */
    TRUNCATED_PAGE(null);

    private static final byte[] RECORDS = "\"data\":[{".getBytes(StandardCharsets.UTF_8);
    private static final byte[] STRING_VALUE = "\":\"".getBytes(StandardCharsets.UTF_8);

    private final byte[] inserted;

    HostileRecord(byte[] inserted) {
        this.inserted = inserted;
    }

    /** The page with the damage applied; a page without records is returned as it is. */
    byte[] apply(byte[] page) {
        int records = indexOf(page, RECORDS, 0);
        if (records < 0) {
            return page;
        }
        if (inserted == null) {
            return Arrays.copyOf(page, records + (page.length - records) / 2);
        }
        int value = indexOf(page, STRING_VALUE, records);
        if (value < 0) {
            return page;
        }
        int at = value + STRING_VALUE.length;
        byte[] out = new byte[page.length + inserted.length];
        System.arraycopy(page, 0, out, 0, at);
        System.arraycopy(inserted, 0, out, at, inserted.length);
        System.arraycopy(page, at, out, at + inserted.length, page.length - at);
        return out;
    }

    static boolean hasRecords(byte[] page) {
        return indexOf(page, RECORDS, 0) >= 0;
    }

    private static int indexOf(byte[] hay, byte[] needle, int from) {
        outer:
        for (int i = from; i <= hay.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
