package com.skyfit.lake.bronze;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Bronze parts in a local folder: path "bronze/x/part-00000.jsonl.gz" is the file {root}/bronze/x/part-00000.jsonl.gz.
 *
 * <p>A part is written to a hidden temp file (".part-00000.jsonl.gz.{random}.tmp") in its final folder, so a
 * crash never leaves a half part under a part's name. Commit publishes it with a hard link, which the file
 * system creates atomically and refuses when the name is taken: of two racing writers exactly one wins, and a
 * committed part is never replaced (a plain rename would silently overwrite on POSIX).
 */
public final class LocalBronzeStore implements BronzeStore {
    private static final int BUFFER = 64 * 1024;

    private final Path root;

    public LocalBronzeStore(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    public Path root() {
        return root;
    }

    @Override
    public Upload create(String path) throws IOException {
        Path target = resolve(path);
        Files.createDirectories(target.getParent());
        Path temp = target.resolveSibling("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
        FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        return new LocalUpload(path, target, temp, channel);
    }

    @Override
    public InputStream open(String path) throws IOException {
        return Files.newInputStream(resolve(path));
    }

    @Override
    public boolean exists(String path) throws IOException {
        return Files.isRegularFile(resolve(path));
    }

    @Override
    public long size(String path) throws IOException {
        Path file = resolve(path);
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(path, null, "no such bronze part in " + describe());
        }
        return Files.size(file);
    }

    @Override
    public List<String> list(String prefix) throws IOException {
        // Walk only the deepest folder the prefix names, then filter on the full prefix text.
        int slash = prefix.lastIndexOf('/');
        Path start = slash < 0 ? root : resolve(prefix.substring(0, slash));
        if (!Files.isDirectory(start)) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        Files.walkFileTree(start, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) {
                String p = root.relativize(f).toString().replace('\\', '/');
                if (attrs.isRegularFile() && !f.getFileName().toString().startsWith(".") && p.startsWith(prefix)) {
                    out.add(p);
                }
                return FileVisitResult.CONTINUE;
            }

            /**
             * Parallel windows of a run write into the same folder: a writer's hidden temp file can vanish (published
             * or aborted) between the listing of the folder and the look at the file. It was never a part.
             */
            @Override
            public FileVisitResult visitFileFailed(Path f, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE;
                }
                throw e;
            }
        });
        out.sort(null);
        return out;
    }

    @Override
    public String describe() {
        return "local folder " + root;
    }

    private Path resolve(String path) {
        if (path.startsWith("/") || path.contains("\\") || List.of(path.split("/")).contains("..")) {
            throw new IllegalArgumentException("bronze paths are relative and stay inside the store, got '" + path + "'");
        }
        return path.isEmpty() ? root : root.resolve(path).normalize();
    }

    private final class LocalUpload implements Upload {
        private final String path;
        private final Path target;
        private final Path temp;
        private final FileChannel channel;
        private final OutputStream stream;
        private boolean done;

        LocalUpload(String path, Path target, Path temp, FileChannel channel) {
            this.path = path;
            this.target = target;
            this.temp = temp;
            this.channel = channel;
            this.stream = new BufferedOutputStream(Channels.newOutputStream(channel), BUFFER);
        }

        @Override
        public OutputStream stream() {
            return stream;
        }

        @Override
        public void commit() throws IOException {
            if (done) {
                throw new IllegalStateException("upload of " + path + " is already finished");
            }
            try {
                stream.flush();
                channel.force(true); // the bytes are on disk before the name appears
                stream.close();
                publish();
            } finally {
                abort();
            }
        }

        private void publish() throws IOException {
            try {
                Files.createLink(target, temp);
            } catch (FileAlreadyExistsException e) {
                throw new PartExistsException(path);
            } catch (UnsupportedOperationException e) {
                // File systems without hard links: a move without REPLACE_EXISTING still refuses an existing
                // name, only the check and the rename are not one step.
                try {
                    Files.move(temp, target);
                } catch (FileAlreadyExistsException exists) {
                    throw new PartExistsException(path);
                }
            }
        }

        @Override
        public void abort() {
            if (done) {
                return;
            }
            done = true;
            try {
                stream.close();
            } catch (IOException ignored) {
                // the temp file is deleted below either way
            }
            try {
                Files.deleteIfExists(temp);
            } catch (IOException ignored) {
                // a leftover hidden temp file is never listed or loaded
            }
        }
    }
}
