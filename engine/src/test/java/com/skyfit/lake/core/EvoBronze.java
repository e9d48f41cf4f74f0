package com.skyfit.lake.core;

import com.skyfit.lake.bronze.BronzePath;
import com.skyfit.lake.bronze.BronzeStore;
import com.skyfit.lake.bronze.LocalBronzeStore;
import com.skyfit.lake.control.Database;
import com.skyfit.lake.staging.LoadResult;
import com.skyfit.lake.staging.LoaderOptions;
import com.skyfit.lake.staging.StagingLoader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/**
 * EVO records written as the lines of real bronze parts (gzip JSON lines at the engine's paths) and
 * loaded into staging by the real StagingLoader, as a run of the EVO source leaves them.
 */
final class EvoBronze {
    static final String SCOPE = "gym";

    private final BronzeStore store;
    private final StagingLoader loader;
    private final com.skyfit.lake.control.FileLedger ledger;
    private final Map<String, Integer> parts = new HashMap<>();

    EvoBronze(Database db, Path folder) {
        this.store = new LocalBronzeStore(folder);
        this.loader = new StagingLoader(db, store, LoaderOptions.defaults());
        this.ledger = new com.skyfit.lake.control.FileLedger(db);
    }

    /** Writes the records (JSON objects) as the next part of the run's entity and loads it; returns the part's path. */
    String load(String entity, String runId, String... records) {
        int part = parts.merge(entity + "/" + runId, 1, Integer::sum) - 1;
        String path = write(new BronzePath("evo", SCOPE, entity, LocalDate.of(2026, 1, 1), runId, part), records);
        LoadResult r = loader.load(List.of(path), false);
        if (r.filesLoaded() != 1) {
            throw new IllegalStateException("part " + path + " did not load: " + r);
        }
        return path;
    }

    /**
     * As a run of the source leaves a part: written, recorded in the file ledger by the writer (which gives it its
     * write time, the time it was read), then loaded. Returns the part's path.
     */
    String read(String entity, String runId, String... records) {
        int part = parts.merge(entity + "/" + runId, 1, Integer::sum) - 1;
        BronzePath path = new BronzePath("evo", SCOPE, entity, LocalDate.of(2026, 1, 1), runId, part);
        write(path, records);
        try {
            ledger.recordWritten(path, new com.skyfit.lake.bronze.BronzePart(path.path(), records.length, 1, "0".repeat(64)),
                    null, null);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
        LoadResult r = loader.load(List.of(path.path()), false);
        if (r.filesLoaded() != 1) {
            throw new IllegalStateException("part " + path + " did not load: " + r);
        }
        return path.path();
    }

    /** Loads a part again with new staging ids, as `load --force` does. */
    void reload(String path) {
        loader.load(List.of(path), true);
    }

    private String write(BronzePath path, String... records) {
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try {
            try (OutputStream out = new GZIPOutputStream(gz)) {
                for (String r : records) {
                    // records are written readably over several lines; a bronze line is one record
                    out.write((r.replace('\n', ' ') + "\n").getBytes(StandardCharsets.UTF_8));
                }
            }
            try (BronzeStore.Upload up = store.create(path.path())) {
                up.stream().write(gz.toByteArray());
                up.commit();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return path.path();
    }
}
