package com.skyfit.lake.staging;

import com.skyfit.lake.bronze.BronzeStore;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real bronze store whose reads of chosen parts break partway, the way a storage connection that
 * resets does: the first reads succeed, then an exception. Counts the opens per path.
 */
final class FaultyStore implements BronzeStore {
    private final BronzeStore real;
    private final Map<String, AtomicInteger> failuresLeft = new ConcurrentHashMap<>();
    final Map<String, AtomicInteger> opens = new ConcurrentHashMap<>();
    private volatile boolean unchecked;
    private volatile boolean garbage;

    FaultyStore(BronzeStore real) {
        this.real = real;
    }

    /** The next {@code times} reads of the path fail after the first 100 bytes. */
    FaultyStore failReads(String path, int times) {
        failuresLeft.put(path, new AtomicInteger(times));
        return this;
    }

    /** Fail with an unchecked exception, as storage SDKs sometimes do mid-stream. */
    FaultyStore unchecked() {
        unchecked = true;
        return this;
    }

    /** Every read returns bytes that are not gzip, as a corrupted blob would. */
    FaultyStore garbage() {
        garbage = true;
        return this;
    }

    int opens(String path) {
        return opens.getOrDefault(path, new AtomicInteger()).get();
    }

    @Override
    public InputStream open(String path) throws IOException {
        opens.computeIfAbsent(path, k -> new AtomicInteger()).incrementAndGet();
        if (garbage) {
            return new java.io.ByteArrayInputStream("this is not gzip".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        AtomicInteger left = failuresLeft.get(path);
        InputStream in = real.open(path);
        if (left == null || left.getAndDecrement() <= 0) {
            return in;
        }
        return new FilterInputStream(in) {
            private int served;

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (served >= 100) {
                    IOException reset = new IOException("Connection reset by peer");
                    if (unchecked) {
                        throw new UncheckedIOException(reset);
                    }
                    throw reset;
                }
                int n = super.read(b, off, Math.min(len, 100 - served));
                served += Math.max(n, 0);
                return n;
            }
        };
    }

    @Override
    public Upload create(String path) throws IOException {
        return real.create(path);
    }

    @Override
    public boolean exists(String path) throws IOException {
        return real.exists(path);
    }

    @Override
    public long size(String path) throws IOException {
        return real.size(path);
    }

    @Override
    public List<String> list(String prefix) throws IOException {
        return real.list(prefix);
    }

    @Override
    public String describe() {
        return "faulty " + real.describe();
    }
}
