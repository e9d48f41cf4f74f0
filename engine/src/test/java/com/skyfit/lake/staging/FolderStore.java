package com.skyfit.lake.staging;

import com.skyfit.lake.bronze.BronzeStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Stream;

/** A minimal bronze store over a folder, for loader tests: write to a temp file, commit by rename. */
final class FolderStore implements BronzeStore {
    private final Path root;

    FolderStore(Path root) {
        this.root = root;
    }

    @Override
    public Upload create(String path) throws IOException {
        Path target = root.resolve(path);
        Files.createDirectories(target.getParent());
        Path tmp = Files.createTempFile(target.getParent(), ".upload", ".tmp");
        OutputStream out = Files.newOutputStream(tmp);
        return new Upload() {
            private boolean done;

            @Override
            public OutputStream stream() {
                return out;
            }

            @Override
            public void commit() throws IOException {
                out.close();
                if (Files.exists(target)) {
                    Files.deleteIfExists(tmp);
                    throw new PartExistsException(path);
                }
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
                done = true;
            }

            @Override
            public void abort() {
                if (!done) {
                    try {
                        out.close();
                        Files.deleteIfExists(tmp);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            }
        };
    }

    @Override
    public InputStream open(String path) throws IOException {
        return Files.newInputStream(root.resolve(path));
    }

    @Override
    public boolean exists(String path) {
        return Files.exists(root.resolve(path));
    }

    @Override
    public long size(String path) throws IOException {
        return Files.size(root.resolve(path));
    }

    @Override
    public List<String> list(String prefix) throws IOException {
        if (!Files.exists(root.resolve("bronze"))) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(root.resolve("bronze"))) {
            return s.filter(Files::isRegularFile)
                    .map(p -> root.relativize(p).toString().replace('\\', '/'))
                    .filter(p -> p.startsWith(prefix) && p.endsWith(".jsonl.gz"))
                    .sorted()
                    .toList();
        }
    }

    @Override
    public String describe() {
        return "test folder " + root;
    }
}
