package com.skyfit.lake.bronze;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.models.BlockListType;
import com.skyfit.lake.config.Settings;
import com.skyfit.lake.testing.Azurite;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The Azure store against a real Azurite, opened the way production opens it: from SKYFIT_BRONZE_URL. */
class AzureBlobBronzeStoreIT {
    private static final AtomicInteger CONTAINERS = new AtomicInteger();
    private static final String RUN = "bronze/pipedrive/scope=a/entity=deals/ingestion_date=2024-03-09/run_id=r1/";
    private static final String PART = RUN + "part-00000.jsonl.gz";

    private final Azurite azurite = Azurite.get();
    private final String container = "bronze-it-" + ProcessHandle.current().pid() + "-" + CONTAINERS.incrementAndGet();

    private BronzeStore store() {
        return BronzeStores.open(Settings.of(Map.of(Settings.BRONZE_URL, azurite.containerUrl(container),
                Settings.STORAGE_CONNECTION_STRING, azurite.connectionString())));
    }

    private BlobContainerClient raw() {
        return new BlobServiceClientBuilder().connectionString(azurite.connectionString()).buildClient()
                .getBlobContainerClient(container);
    }

    @Test
    void createsTheContainerAndShowsNothingBeforeCommit() throws Exception {
        BronzeStore store = store();
        assertThat(store.list("bronze/")).isEmpty();
        assertThat(store.exists(PART)).isFalse();

        BronzeStore.Upload upload = store.create(PART);
        assertThat(raw().exists()).isTrue();
        upload.stream().write("{\"id\":1}\n".getBytes(UTF_8));
        upload.stream().flush();
        assertThat(store.exists(PART)).isFalse();
        assertThat(store.list("bronze/")).isEmpty();

        upload.commit();
        assertThat(store.exists(PART)).isTrue();
        assertThat(store.size(PART)).isEqualTo(9);
        assertThat(read(store, PART)).isEqualTo("{\"id\":1}\n");
        assertThat(store.describe()).contains(container).doesNotContain(Azurite.ACCOUNT_KEY);
    }

    @Test
    void aCommittedPartIsNeverOverwritten() throws Exception {
        BronzeStore store = store();
        put(store, PART, "first");
        BronzeStore.Upload second = store.create(PART);
        second.stream().write("second".getBytes(UTF_8));
        assertThatThrownBy(second::commit).isInstanceOf(BronzeStore.PartExistsException.class).hasMessageContaining(PART);
        assertThat(read(store, PART)).isEqualTo("first");
    }

    @Test
    void ofRacingWritersExactlyOneWins() throws Exception {
        BronzeStore store = store();
        int writers = 4;
        CyclicBarrier barrier = new CyclicBarrier(writers);
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < writers; i++) {
                byte[] content = ("writer " + i).getBytes(UTF_8);
                results.add(pool.submit((Callable<Boolean>) () -> {
                    BronzeStore.Upload upload = store.create(PART);
                    upload.stream().write(content);
                    barrier.await();
                    try {
                        upload.commit();
                        return true;
                    } catch (BronzeStore.PartExistsException e) {
                        return false;
                    }
                }));
            }
            int winners = 0;
            for (Future<Boolean> f : results) {
                winners += f.get() ? 1 : 0;
            }
            assertThat(winners).isEqualTo(1);
            assertThat(read(store, PART)).startsWith("writer ");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aLargePartStreamsAsManyBlocksAndReadsBackIntact() throws Exception {
        AzureBlobBronzeStore store = new AzureBlobBronzeStore(raw(), null, "test container " + container, 64 * 1024);
        byte[] data = new byte[1_000_000];
        new Random(7).nextBytes(data);
        try (BronzeStore.Upload upload = store.create(PART)) {
            // odd write sizes so block boundaries fall inside writes
            for (int off = 0; off < data.length; off += 9_999) {
                upload.stream().write(data, off, Math.min(9_999, data.length - off));
            }
            assertThat(store.exists(PART)).isFalse();
            upload.commit();
        }
        var blocks = raw().getBlobClient(PART).getBlockBlobClient().listBlocks(BlockListType.COMMITTED).getCommittedBlocks();
        assertThat(blocks).hasSize(16); // 15 full 64 KiB blocks and the rest
        assertThat(store.size(PART)).isEqualTo(data.length);
        try (InputStream in = store.open(PART)) {
            assertThat(in.readAllBytes()).isEqualTo(data);
        }
    }

    @Test
    void abortLeavesNothingVisible() throws Exception {
        BronzeStore store = store();
        try (BronzeStore.Upload upload = store.create(PART)) {
            upload.stream().write(new byte[5 * 1024 * 1024]); // at least one block staged
        }
        assertThat(store.exists(PART)).isFalse();
        assertThat(store.list("")).isEmpty();
    }

    @Test
    void listIsSortedByPrefixAndSkipsDirectoryPlaceholders() throws Exception {
        BronzeStore store = store();
        for (int n : new int[] {2, 0, 1001, 1}) {
            put(store, RUN + String.format("part-%05d.jsonl.gz", n), "x");
        }
        put(store, "bronze/pipedrive/scope=b/entity=deals/ingestion_date=2024-03-09/run_id=r1/part-00000.jsonl.gz", "x");
        // ADLS Gen2 shows each directory as an empty blob with hdi_isfolder=true in a flat Blob listing
        raw().getBlobClient("bronze/pipedrive/scope=a").getBlockBlobClient()
                .uploadWithResponse(new ByteArrayInputStream(new byte[0]), 0, null, Map.of("hdi_isfolder", "true"),
                        null, null, null, null, null);

        assertThat(store.list(RUN)).containsExactly(RUN + "part-00000.jsonl.gz", RUN + "part-00001.jsonl.gz",
                RUN + "part-00002.jsonl.gz", RUN + "part-01001.jsonl.gz");
        assertThat(store.list("bronze/pipedrive/scope=")).hasSize(5);
        assertThat(store.list("bronze/zendesk/")).isEmpty();
    }

    @Test
    void missingPartsAreReportedAsMissing() throws Exception {
        BronzeStore store = store();
        put(store, PART, "x");
        assertThatThrownBy(() -> store.open(RUN + "part-00009.jsonl.gz")).isInstanceOf(NoSuchFileException.class);
        assertThatThrownBy(() -> store.size(RUN + "part-00009.jsonl.gz")).isInstanceOf(NoSuchFileException.class);
    }

    @Test
    void theAzuriteUrlAloneWorksWithTheWellKnownKey() throws Exception {
        BronzeStore store = BronzeStores.open(Settings.of(Map.of(Settings.BRONZE_URL, azurite.containerUrl(container))));
        put(store, PART, "via well-known key");
        assertThat(read(store, PART)).isEqualTo("via well-known key");
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
}
