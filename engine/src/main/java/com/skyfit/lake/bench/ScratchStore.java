package com.skyfit.lake.bench;

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

/** A throw-away folder for benchmark parts, so a benchmark never writes into the real bronze store. */
public final class ScratchStore implements BronzeStore {
    private final Path root;

    public ScratchStore(Path root) {
        this.root = root.toAbsolutePath();
    }

    @Override
    public Upload create(String path) throws IOException {
        Path target = root.resolve(path);
        Files.createDirectories(target.getParent());
        Path tmp = Files.createTempFile(target.getParent(), ".part", ".tmp");
        OutputStream out = Files.newOutputStream(tmp);
        return new Upload() {
            private boolean committed;

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
                committed = true;
            }

            @Override
            public void abort() {
                if (!committed) {
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
        return Files.isRegularFile(root.resolve(path));
    }

    @Override
    public long size(String path) throws IOException {
        return Files.size(root.resolve(path));
    }

    @Override
    public List<String> list(String prefix) throws IOException {
        Path base = root.resolve("bronze");
        if (!Files.isDirectory(base)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(base)) {
            return s.filter(Files::isRegularFile)
                    .map(p -> root.relativize(p).toString().replace('\\', '/'))
                    .filter(p -> p.startsWith(prefix) && p.endsWith(".jsonl.gz"))
                    .sorted()
                    .toList();
        }
    }

    @Override
    public String describe() {
        return "benchmark scratch folder " + root;
    }
}
