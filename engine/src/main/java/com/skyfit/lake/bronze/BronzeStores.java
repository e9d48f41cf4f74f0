package com.skyfit.lake.bronze;

import com.azure.core.credential.AzureSasCredential;
import com.azure.core.credential.TokenCredential;
import com.azure.identity.DefaultAzureCredentialBuilder;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobContainerClientBuilder;
import com.azure.storage.common.StorageSharedKeyCredential;
import com.azure.storage.file.datalake.DataLakeFileSystemClient;
import com.azure.storage.file.datalake.DataLakeFileSystemClientBuilder;
import com.skyfit.lake.config.Redact;
import com.skyfit.lake.config.Secret;
import com.skyfit.lake.config.Settings;
import com.skyfit.lake.config.SettingsException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Opens the bronze store that SKYFIT_BRONZE_URL names. The URL is the store's root: parts land at
 * {root}/bronze/{source}/... Accepted forms:
 * <ul>
 *   <li>unset: the local folder {SKYFIT_HOME} (so parts land under {SKYFIT_HOME}/bronze/...)</li>
 *   <li>{@code file:relative/dir}, {@code file:/abs/dir}, {@code file:///abs/dir}: a local folder</li>
 *   <li>{@code https://{account}.blob.core.windows.net/{container}} or {@code .dfs.core.windows.net}: an Azure
 *       Storage container, with SKYFIT_STORAGE_CONNECTION_STRING if set, otherwise DefaultAzureCredential</li>
 *   <li>{@code http://127.0.0.1:{port}/devstoreaccount1/{container}} (or localhost): Azurite, with the
 *       connection string if set, otherwise the emulator's well-known key</li>
 * </ul>
 */
public final class BronzeStores {
    static final String ACCEPTED = "must be unset (local folder under SKYFIT_HOME), a file: URL such as file:/data/lake, "
            + "https://{account}.blob.core.windows.net/{container} (or .dfs.core.windows.net), "
            + "or http://127.0.0.1:{port}/devstoreaccount1/{container} for Azurite";
    private static final Pattern AZURE = Pattern.compile(
            "https://([a-z0-9]{3,24})\\.(?:blob|dfs)\\.core\\.windows\\.net/([a-z0-9](?:[a-z0-9-]{1,61}[a-z0-9])?)/?");
    private static final Pattern AZURITE = Pattern.compile(
            "http://(127\\.0\\.0\\.1|localhost):(\\d{1,5})/([a-z0-9]{3,24})/([a-z0-9](?:[a-z0-9-]{1,61}[a-z0-9])?)/?");
    private static final String DEV_ACCOUNT = "devstoreaccount1";
    /** Azurite's published well-known key: public knowledge, yet still kept out of every message. */
    private static final Secret DEV_ACCOUNT_KEY = Secret.of(
            "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==");

    private BronzeStores() {}

    public static BronzeStore open(Settings settings) {
        Optional<String> url = settings.optional(Settings.BRONZE_URL);
        if (url.isEmpty()) {
            return new LocalBronzeStore(settings.home());
        }
        String value = url.get();
        if (value.startsWith("file:")) {
            return new LocalBronzeStore(localPath(value));
        }
        Optional<Secret> connectionString = settings.optionalSecret(Settings.STORAGE_CONNECTION_STRING);
        Matcher azure = AZURE.matcher(value);
        if (azure.matches()) {
            String account = azure.group(1);
            String endpoint = "https://" + account + ".blob.core.windows.net";
            return connectionString.isPresent()
                    ? withKeyOrSas(endpoint, account, azure.group(2), connectionString.get(), "connection string")
                    : withToken(endpoint, azure.group(2), new DefaultAzureCredentialBuilder().build());
        }
        Matcher azurite = AZURITE.matcher(value);
        if (azurite.matches()) {
            String account = azurite.group(3);
            String endpoint = "http://" + azurite.group(1) + ":" + azurite.group(2) + "/" + account;
            if (connectionString.isPresent()) {
                return withKeyOrSas(endpoint, account, azurite.group(4), connectionString.get(), "connection string");
            }
            if (!account.equals(DEV_ACCOUNT)) {
                throw new SettingsException(Settings.BRONZE_URL, "names Azurite account '" + account + "', which needs "
                        + Settings.STORAGE_CONNECTION_STRING + "; only " + DEV_ACCOUNT + " works without one");
            }
            return withSharedKey(endpoint, azurite.group(4),
                    new StorageSharedKeyCredential(DEV_ACCOUNT, DEV_ACCOUNT_KEY.reveal()), "Azurite well-known key");
        }
        throw new SettingsException(Settings.BRONZE_URL, ACCEPTED + "; got '" + Redact.url(value) + "'");
    }

    private static Path localPath(String url) {
        String rest = url.substring("file:".length());
        if (rest.startsWith("//")) {
            int slash = rest.indexOf('/', 2);
            String host = slash < 0 ? rest.substring(2) : rest.substring(2, slash);
            if (slash < 0 || !(host.isEmpty() || host.equals("localhost"))) {
                throw new SettingsException(Settings.BRONZE_URL, "file: URLs name a local folder (file:/abs/dir, "
                        + "file:///abs/dir or file:relative/dir); got '" + Redact.url(url) + "'");
            }
            rest = rest.substring(slash);
        }
        if (rest.isBlank()) {
            throw new SettingsException(Settings.BRONZE_URL, ACCEPTED + "; got '" + Redact.url(url) + "' (no folder)");
        }
        return Path.of(rest).toAbsolutePath().normalize();
    }

    private static AzureBlobBronzeStore withToken(String endpoint, String container, TokenCredential credential) {
        BlobContainerClient blob = new BlobContainerClientBuilder().endpoint(endpoint).containerName(container)
                .credential(credential).buildClient();
        DataLakeFileSystemClient fs = new DataLakeFileSystemClientBuilder().endpoint(endpoint).fileSystemName(container)
                .credential(credential).buildClient();
        return new AzureBlobBronzeStore(blob, fs, describe(endpoint, container, "Entra ID (DefaultAzureCredential)"),
                AzureBlobBronzeStore.DEFAULT_BLOCK_SIZE);
    }

    private static AzureBlobBronzeStore withSharedKey(String endpoint, String container,
            StorageSharedKeyCredential key, String how) {
        BlobContainerClient blob = new BlobContainerClientBuilder().endpoint(endpoint).containerName(container)
                .credential(key).buildClient();
        DataLakeFileSystemClient fs = new DataLakeFileSystemClientBuilder().endpoint(endpoint).fileSystemName(container)
                .credential(key).buildClient();
        return new AzureBlobBronzeStore(blob, fs, describe(endpoint, container, how), AzureBlobBronzeStore.DEFAULT_BLOCK_SIZE);
    }

    /**
     * The endpoint always comes from SKYFIT_BRONZE_URL; the connection string only lends its credential, an
     * account key or a SAS. No message here quotes the connection string or any of its parts.
     */
    private static AzureBlobBronzeStore withKeyOrSas(String endpoint, String account, String container, Secret cs,
            String how) {
        Map<String, String> parts = parse(cs);
        if ("true".equalsIgnoreCase(parts.get("usedevelopmentstorage"))) {
            parts.put("accountname", DEV_ACCOUNT);
            parts.put("accountkey", DEV_ACCOUNT_KEY.reveal());
        }
        String key = parts.get("accountkey");
        String sas = parts.get("sharedaccesssignature");
        if (key != null) {
            String named = parts.get("accountname");
            if (named == null) {
                throw new SettingsException(Settings.STORAGE_CONNECTION_STRING, "has an AccountKey but no AccountName");
            }
            if (!named.equals(account)) {
                throw new SettingsException(Settings.STORAGE_CONNECTION_STRING, "is for account '" + named + "' but "
                        + Settings.BRONZE_URL + " names account '" + account + "'");
            }
            return withSharedKey(endpoint, container, new StorageSharedKeyCredential(named, key), how);
        }
        if (sas != null) {
            AzureSasCredential credential = new AzureSasCredential(sas.startsWith("?") ? sas.substring(1) : sas);
            BlobContainerClient blob = new BlobContainerClientBuilder().endpoint(endpoint).containerName(container)
                    .credential(credential).buildClient();
            DataLakeFileSystemClient fs = new DataLakeFileSystemClientBuilder().endpoint(endpoint)
                    .fileSystemName(container).credential(credential).buildClient();
            return new AzureBlobBronzeStore(blob, fs, describe(endpoint, container, "connection string SAS"),
                    AzureBlobBronzeStore.DEFAULT_BLOCK_SIZE);
        }
        throw new SettingsException(Settings.STORAGE_CONNECTION_STRING,
                "must be an Azure Storage connection string with AccountName and AccountKey, or SharedAccessSignature");
    }

    private static Map<String, String> parse(Secret cs) {
        Map<String, String> out = new HashMap<>();
        for (String item : cs.reveal().split(";")) {
            int eq = item.indexOf('=');
            if (eq > 0) {
                out.put(item.substring(0, eq).trim().toLowerCase(Locale.ROOT), item.substring(eq + 1).trim());
            }
        }
        return out;
    }

    private static String describe(String endpoint, String container, String how) {
        return "Azure Storage container " + container + " at " + endpoint + " (Blob API, " + how + ")";
    }
}
