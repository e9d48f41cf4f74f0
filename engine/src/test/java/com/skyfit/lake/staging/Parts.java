package com.skyfit.lake.staging;

import com.skyfit.lake.bronze.BronzePath;
import com.skyfit.lake.bronze.BronzeStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.List;
import java.util.zip.GZIPOutputStream;

/** Writes test bronze parts: lines as given, gzip-compressed, or deliberately broken. */
final class Parts {
    private Parts() {}

    static BronzePath path(String source, String entity, String runId, int part) {
        return new BronzePath(source, "main", entity, LocalDate.of(2024, 5, 1), runId, part);
    }

    static String write(BronzeStore store, BronzePath path, List<String> lines) throws IOException {
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        for (String l : lines) {
            raw.write(l.getBytes(StandardCharsets.UTF_8));
            raw.write('\n');
        }
        return writeBytes(store, path, gzip(raw.toByteArray()));
    }

    static String writeBytes(BronzeStore store, BronzePath path, byte[] stored) throws IOException {
        try (BronzeStore.Upload up = store.create(path.path())) {
            up.stream().write(stored);
            up.commit();
        }
        return path.path();
    }

    static byte[] gzip(byte[] content) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream gz = new GZIPOutputStream(out)) {
            gz.write(content);
        }
        return out.toByteArray();
    }

    static List<String> records(int from, int count) {
        return java.util.stream.IntStream.range(from, from + count)
                .mapToObj(i -> "{\"id\":" + i + ",\"name\":\"record " + i + "\",\"tags\":[\"a\\\\b\",\"c\\\"d\"]}")
                .toList();
    }
}
