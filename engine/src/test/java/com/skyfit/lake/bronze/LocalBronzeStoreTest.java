package com.skyfit.lake.bronze;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalBronzeStoreTest {
    private static final String PART = "bronze/pipedrive/scope=a/entity=deals/ingestion_date=2024-03-09/run_id=r1/part-00000.jsonl.gz";

    @TempDir
    Path root;

    @Test
    void aPartIsInvisibleUntilCommitted() throws Exception {
        LocalBronzeStore store = new LocalBronzeStore(root);
        BronzeStore.Upload upload = store.create(PART);
        upload.stream().write("half a part".getBytes(UTF_8));
        upload.stream().flush();

        assertThat(store.exists(PART)).isFalse();
        assertThat(store.list("bronze/")).isEmpty();
        assertThat(Files.exists(root.resolve(PART))).isFalse();

        upload.commit();
        assertThat(store.exists(PART)).isTrue();
        assertThat(store.list("bronze/")).containsExactly(PART);
        assertThat(read(store, PART)).isEqualTo("half a part");
        assertThat(store.size(PART)).isEqualTo(11);
        assertThat(visibleAndHiddenFiles()).containsExactly(root.resolve(PART));
    }

    @Test
    void abortLeavesNothingBehind() throws Exception {
        LocalBronzeStore store = new LocalBronzeStore(root);
        try (BronzeStore.Upload upload = store.create(PART)) {
            upload.stream().write(new byte[100_000]);
        }
        assertThat(store.exists(PART)).isFalse();
        assertThat(visibleAndHiddenFiles()).isEmpty();
    }

    @Test
    void aCommittedPartIsNeverOverwritten() throws Exception {
        LocalBronzeStore store = new LocalBronzeStore(root);
        put(store, PART, "first");
        BronzeStore.Upload second = store.create(PART);
        second.stream().write("second".getBytes(UTF_8));
        assertThatThrownBy(second::commit).isInstanceOf(BronzeStore.PartExistsException.class)
                .hasMessageContaining(PART);
        assertThat(read(store, PART)).isEqualTo("first");
        assertThat(visibleAndHiddenFiles()).containsExactly(root.resolve(PART));
    }

    @Test
    void ofRacingWritersExactlyOneWins() throws Exception {
        LocalBronzeStore store = new LocalBronzeStore(root);
        int writers = 8;
        CyclicBarrier barrier = new CyclicBarrier(writers);
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < writers; i++) {
                String content = "writer " + i;
                results.add(pool.submit((Callable<Boolean>) () -> {
                    BronzeStore.Upload upload = store.create(PART);
                    upload.stream().write(content.getBytes(UTF_8));
                    barrier.await();
                    try {
                        upload.commit();
                        return true;
                    } catch (BronzeStore.PartExistsException e) {
                        return false;
                    }
                }));
            }
            long winners = 0;
            for (Future<Boolean> f : results) {
                winners += f.get() ? 1 : 0;
            }
            assertThat(winners).isEqualTo(1);
            assertThat(read(store, PART)).startsWith("writer ");
            assertThat(visibleAndHiddenFiles()).containsExactly(root.resolve(PART));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void listIsSortedFilteredByPrefixAndIgnoresTempFiles() throws Exception {
        LocalBronzeStore store = new LocalBronzeStore(root);
        String runFolder = "bronze/pipedrive/scope=a/entity=deals/ingestion_date=2024-03-09/run_id=r1/";
        for (int n : new int[] {2, 0, 1001, 1}) {
            put(store, runFolder + String.format("part-%05d.jsonl.gz", n), "x");
        }
        put(store, "bronze/pipedrive/scope=b/entity=deals/ingestion_date=2024-03-09/run_id=r1/part-00000.jsonl.gz", "x");
        BronzeStore.Upload pending = store.create(runFolder + "part-00003.jsonl.gz");
        pending.stream().write('x');
        pending.stream().flush();

        assertThat(store.list(runFolder)).containsExactly(runFolder + "part-00000.jsonl.gz",
                runFolder + "part-00001.jsonl.gz", runFolder + "part-00002.jsonl.gz", runFolder + "part-01001.jsonl.gz");
        assertThat(store.list("bronze/pipedrive/scope=")).hasSize(5);
        assertThat(store.list("bronze/pipedrive/scope=b")).hasSize(1);
        assertThat(store.list("bronze/zendesk/")).isEmpty();
        assertThat(store.list("")).hasSize(5);
        pending.abort();
    }

    @Test
    void pathsCannotLeaveTheRoot() {
        LocalBronzeStore store = new LocalBronzeStore(root);
        assertThatThrownBy(() -> store.create("bronze/../../etc/passwd")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.open("/etc/passwd")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void describeNamesTheFolder() {
        assertThat(new LocalBronzeStore(root).describe()).isEqualTo("local folder " + root.toAbsolutePath().normalize());
    }

    @Test
    void listingWhileOtherWindowsWriteIntoTheSameFolderSeesOnlyCommittedParts() throws Exception {
        LocalBronzeStore store = new LocalBronzeStore(root);
        String folder = PART.substring(0, PART.lastIndexOf('/') + 1);
        put(store, PART, "committed");
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            // two writers whose temp files appear and vanish (aborted) while a third thread lists the folder
            List<Future<Object>> writers = new ArrayList<>();
            for (int w = 1; w <= 2; w++) {
                String path = folder + "part-0" + w + "000.jsonl.gz";
                writers.add(pool.submit(() -> {
                    for (int i = 0; i < 3000; i++) {
                        store.create(path).abort();
                    }
                    return null;
                }));
            }
            Future<Object> lister = pool.submit(() -> {
                while (!writers.stream().allMatch(Future::isDone)) {
                    assertThat(store.list(folder)).containsExactly(PART);
                }
                return null;
            });
            for (Future<Object> f : writers) {
                f.get();
            }
            lister.get();
        } finally {
            pool.shutdownNow();
        }
    }

    private static void put(BronzeStore store, String path, String content) throws Exception {
        try (BronzeStore.Upload upload = store.create(path)) {
            upload.stream().write(content.getBytes(UTF_8));
            upload.commit();
        }
    }

    private static String read(BronzeStore store, String path) throws Exception {
        try (InputStream in = store.open(path)) {
            return new String(in.readAllBytes(), UTF_8);
        }
    }

    private List<Path> visibleAndHiddenFiles() throws Exception {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).toList();
        }
    }
}
