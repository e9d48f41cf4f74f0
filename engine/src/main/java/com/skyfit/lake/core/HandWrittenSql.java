package com.skyfit.lake.core;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Reads a hand-written transform from the classpath, where the build puts sql/transforms. */
final class HandWrittenSql {
    private HandWrittenSql() {}

    static String read(String resource) {
        try (InputStream in = HandWrittenSql.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("hand-written transform " + resource + " is not on the classpath");
            }
            String sql = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            if (!sql.startsWith(CoreTable.HAND_WRITTEN)) {
                throw new IllegalStateException(resource + " must start with '" + CoreTable.HAND_WRITTEN + "'");
            }
            return sql;
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + resource, e);
        }
    }
}
