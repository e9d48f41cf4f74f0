package com.skyfit.lake.bronze;

import com.azure.core.util.Context;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.models.BlobErrorCode;
import com.azure.storage.blob.models.BlobItem;
import com.azure.storage.blob.models.BlobListDetails;
import com.azure.storage.blob.models.BlobRequestConditions;
import com.azure.storage.blob.models.BlobStorageException;
import com.azure.storage.blob.models.ListBlobsOptions;
import com.azure.storage.blob.options.BlockBlobCommitBlockListOptions;
import com.azure.storage.blob.specialized.BlockBlobClient;
import com.azure.storage.file.datalake.DataLakeFileSystemClient;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

/**
 * Bronze parts in an Azure Storage container through the Blob API, which ADLS Gen2 accounts and Azurite both
 * serve (docs/bronze-storage.md says why this is the right API for a Data Lake account).
 *
 * <p>An upload stages blocks of at most {@code blockSize} bytes as they fill, so memory stays bounded whatever
 * the part size, and nothing is visible until {@link Upload#commit()} puts the block list with
 * If-None-Match "*": the service refuses it when the blob exists, so a committed part is never overwritten
 * and of two racing writers exactly one wins.
 */
public final class AzureBlobBronzeStore implements BronzeStore {
    public static final int DEFAULT_BLOCK_SIZE = 4 * 1024 * 1024;
    /** Set by ADLS Gen2 on the placeholder blobs that stand for directories in a flat Blob listing. */
    private static final String FOLDER_MARKER = "hdi_isfolder";

    private final BlobContainerClient container;
    private final DataLakeFileSystemClient fileSystem;
    private final String description;
    private final int blockSize;
    private volatile boolean containerReady;

    /**
     * @param fileSystem the same container seen through the Data Lake SDK, used only to create it (see
     *     {@link #ensureContainer()}); null to create it through the Blob API
     * @param description where the store is, for logs; must not hold a secret
     */
    public AzureBlobBronzeStore(BlobContainerClient container, DataLakeFileSystemClient fileSystem, String description,
            int blockSize) {
        if (blockSize < 1024 || blockSize > 100 * 1024 * 1024) {
            throw new IllegalArgumentException("block size must be between 1 KiB and 100 MiB, got " + blockSize);
        }
        this.container = container;
        this.fileSystem = fileSystem;
        this.description = description;
        this.blockSize = blockSize;
    }

    public String containerName() {
        return container.getBlobContainerName();
    }

    /** The Blob service endpoint of the account, e.g. https://acct.blob.core.windows.net. */
    public String accountEndpoint() {
        String url = container.getBlobContainerUrl();
        return url.substring(0, url.length() - containerName().length() - 1);
    }

    /**
     * Creates the container on first write. On an ADLS Gen2 account the container is a Data Lake file
     * system, so it is created as one through the Data Lake SDK (which Azurite also accepts, as it routes
     * file-system creation to the Blob endpoint); every data operation stays on the Blob API.
     */
    public void ensureContainer() throws IOException {
        if (containerReady) {
            return;
        }
        try {
            if (fileSystem != null) {
                fileSystem.createIfNotExists();
            } else {
                container.createIfNotExists();
            }
            containerReady = true;
        } catch (RuntimeException e) {
            throw failure("create container", "", e);
        }
    }

    @Override
    public Upload create(String path) throws IOException {
        ensureContainer();
        return new BlockUpload(path, container.getBlobClient(path).getBlockBlobClient());
    }

    @Override
    public InputStream open(String path) throws IOException {
        try {
            return container.getBlobClient(path).openInputStream();
        } catch (RuntimeException e) {
            throw failure("open", path, e);
        }
    }

    @Override
    public boolean exists(String path) throws IOException {
        try {
            return container.getBlobClient(path).exists();
        } catch (RuntimeException e) {
            throw failure("check", path, e);
        }
    }

    @Override
    public long size(String path) throws IOException {
        try {
            return container.getBlobClient(path).getProperties().getBlobSize();
        } catch (RuntimeException e) {
            throw failure("read the size of", path, e);
        }
    }

    @Override
    public List<String> list(String prefix) throws IOException {
        ListBlobsOptions options = new ListBlobsOptions().setPrefix(prefix)
                .setDetails(new BlobListDetails().setRetrieveMetadata(true));
        List<String> out = new ArrayList<>();
        try {
            for (BlobItem item : container.listBlobs(options, null)) {
                boolean folder = item.getMetadata() != null && "true".equalsIgnoreCase(item.getMetadata().get(FOLDER_MARKER));
                if (!folder && !Boolean.TRUE.equals(item.isPrefix())) {
                    out.add(item.getName());
                }
            }
        } catch (BlobStorageException e) {
            if (e.getErrorCode() == BlobErrorCode.CONTAINER_NOT_FOUND) {
                return List.of(); // nothing has been written yet
            }
            throw failure("list", prefix, e);
        } catch (RuntimeException e) {
            throw failure("list", prefix, e);
        }
        out.sort(null);
        return out;
    }

    @Override
    public String describe() {
        return description;
    }

    /** Turns SDK exceptions into IOExceptions whose message names the operation, never a credential. */
    private IOException failure(String operation, String path, RuntimeException e) {
        if (e instanceof BlobStorageException b) {
            if (b.getStatusCode() == 404 && !path.isEmpty()) {
                NoSuchFileException missing = new NoSuchFileException(path, null, "no such bronze part in " + description);
                missing.initCause(e);
                return missing;
            }
            return new IOException("Azure Storage answered " + b.getStatusCode() + " " + b.getErrorCode() + " to "
                    + operation + " " + path + " in " + description, e);
        }
        return new IOException("Could not " + operation + " " + path + " in " + description + ": "
                + e.getClass().getSimpleName(), e);
    }

    private final class BlockUpload implements Upload {
        private final String path;
        private final BlockBlobClient blob;
        // Block ids must all have the same length; a random prefix per upload keeps racing writers apart.
        private final String idPrefix = UUID.randomUUID().toString();
        private final List<String> blockIds = new ArrayList<>();
        private final byte[] buffer = new byte[blockSize];
        private int filled;
        private boolean done;
        private final OutputStream stream = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                if (done) {
                    throw new IOException("upload of " + path + " is already finished");
                }
                while (len > 0) {
                    int n = Math.min(len, buffer.length - filled);
                    System.arraycopy(b, off, buffer, filled, n);
                    filled += n;
                    off += n;
                    len -= n;
                    if (filled == buffer.length) {
                        stageBuffer();
                    }
                }
            }
        };

        BlockUpload(String path, BlockBlobClient blob) {
            this.path = path;
            this.blob = blob;
        }

        private void stageBuffer() throws IOException {
            String id = Base64.getEncoder().encodeToString(
                    String.format("%s-%06d", idPrefix, blockIds.size()).getBytes(StandardCharsets.US_ASCII));
            try {
                blob.stageBlock(id, new ByteArrayInputStream(buffer, 0, filled), filled);
            } catch (RuntimeException e) {
                throw failure("stage a block of", path, e);
            }
            blockIds.add(id);
            filled = 0;
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
                if (filled > 0) {
                    stageBuffer();
                }
                blob.commitBlockListWithResponse(new BlockBlobCommitBlockListOptions(blockIds)
                        .setRequestConditions(new BlobRequestConditions().setIfNoneMatch("*")), null, Context.NONE);
            } catch (BlobStorageException e) {
                // 409/412 when the blob exists; a racing winner's commit also discards our uncommitted blocks,
                // which surfaces as 400 InvalidBlockList: in every case, an existing blob means "taken".
                if (e.getStatusCode() == 409 || e.getStatusCode() == 412 || blobExists()) {
                    throw new PartExistsException(path);
                }
                throw failure("commit", path, e);
            } finally {
                done = true;
            }
        }

        private boolean blobExists() {
            try {
                return blob.exists();
            } catch (RuntimeException e) {
                return false;
            }
        }

        @Override
        public void abort() {
            // Uncommitted blocks are invisible and the service drops them after a week; nothing to delete.
            done = true;
        }
    }
}
