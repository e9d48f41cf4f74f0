package com.skyfit.lake.bronze;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.skyfit.lake.config.Settings;
import com.skyfit.lake.config.SettingsException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Choosing the store from SKYFIT_BRONZE_URL. Nothing here talks to a network: stores connect lazily. */
class BronzeStoresTest {
    private static final String KEY = "c2VjcmV0LWtleS10aGF0LW11c3Qtbm90LWxlYWstYW55d2hlcmU=";
    private static final String CONNECTION_STRING =
            "DefaultEndpointsProtocol=https;AccountName=skyfitlake;AccountKey=" + KEY + ";EndpointSuffix=core.windows.net";

    @TempDir
    Path home;

    @Test
    void unsetMeansTheHomeFolderSoPartsLandUnderHomeBronze() {
        BronzeStore store = BronzeStores.open(Settings.of(Map.of(Settings.HOME, home.toString())));
        assertThat(store).isInstanceOf(LocalBronzeStore.class);
        assertThat(((LocalBronzeStore) store).root()).isEqualTo(home.toAbsolutePath().normalize());
    }

    @Test
    void fileUrlsNameALocalRootRelativeOrAbsolute() {
        assertThat(localRoot("file:" + home)).isEqualTo(home);
        assertThat(localRoot("file://" + home)).isEqualTo(home);
        assertThat(localRoot("file://localhost" + home)).isEqualTo(home);
        assertThat(localRoot("file:data/lake")).isEqualTo(Path.of("data/lake").toAbsolutePath().normalize());
    }

    @Test
    void blobAndDfsUrlsOpenTheSameBlobEndpoint() {
        for (String url : new String[] {"https://skyfitlake.blob.core.windows.net/lake",
                "https://skyfitlake.dfs.core.windows.net/lake/"}) {
            AzureBlobBronzeStore store = azure(Map.of(Settings.BRONZE_URL, url));
            assertThat(store.accountEndpoint()).isEqualTo("https://skyfitlake.blob.core.windows.net");
            assertThat(store.containerName()).isEqualTo("lake");
            assertThat(store.describe()).contains("DefaultAzureCredential").contains("container lake");
        }
    }

    @Test
    void aConnectionStringLendsItsKeyButNeverShowsIt() {
        AzureBlobBronzeStore store = azure(Map.of(Settings.BRONZE_URL, "https://skyfitlake.blob.core.windows.net/lake",
                Settings.STORAGE_CONNECTION_STRING, CONNECTION_STRING));
        assertThat(store.describe()).contains("connection string").doesNotContain(KEY).doesNotContain("AccountKey");
    }

    @Test
    void aConnectionStringForAnotherAccountIsRefusedWithoutQuotingIt() {
        assertThatThrownBy(() -> BronzeStores.open(Settings.of(Map.of(
                Settings.BRONZE_URL, "https://otheraccount.blob.core.windows.net/lake",
                Settings.STORAGE_CONNECTION_STRING, CONNECTION_STRING))))
                .isInstanceOf(SettingsException.class)
                .hasMessageContaining(Settings.STORAGE_CONNECTION_STRING)
                .hasMessageContaining("otheraccount")
                .hasMessageNotContaining(KEY);
    }

    @Test
    void aConnectionStringWithoutCredentialIsRefusedWithoutQuotingIt() {
        assertThatThrownBy(() -> BronzeStores.open(Settings.of(Map.of(
                Settings.BRONZE_URL, "https://skyfitlake.blob.core.windows.net/lake",
                Settings.STORAGE_CONNECTION_STRING, "AccountName=skyfitlake;Password=" + KEY))))
                .isInstanceOf(SettingsException.class)
                .hasMessageContaining(Settings.STORAGE_CONNECTION_STRING)
                .hasMessageNotContaining(KEY);
    }

    @Test
    void azuriteUrlsUseTheWellKnownKeyUnlessAConnectionStringIsGiven() {
        AzureBlobBronzeStore store = azure(Map.of(Settings.BRONZE_URL, "http://127.0.0.1:10000/devstoreaccount1/bronze"));
        assertThat(store.accountEndpoint()).isEqualTo("http://127.0.0.1:10000/devstoreaccount1");
        assertThat(store.containerName()).isEqualTo("bronze");
        assertThat(store.describe()).contains("Azurite well-known key").doesNotContain("Eby8vdM02");

        assertThatThrownBy(() -> BronzeStores.open(Settings.of(Map.of(
                Settings.BRONZE_URL, "http://localhost:10000/otheraccount/bronze"))))
                .isInstanceOf(SettingsException.class).hasMessageContaining(Settings.STORAGE_CONNECTION_STRING);
    }

    @ParameterizedTest
    @ValueSource(strings = {"s3://bucket/bronze", "https://skyfitlake.blob.core.windows.net",
            "https://skyfitlake.blob.core.windows.net/Upper_Case", "http://skyfitlake.blob.core.windows.net/lake",
            "https://example.com/lake", "http://10.0.0.5:10000/devstoreaccount1/bronze", "/data/lake",
            "file://fileserver/share/lake", "file:"})
    void anythingElseIsRefusedNamingTheSettingAndTheAcceptedForms(String url) {
        assertThatThrownBy(() -> BronzeStores.open(Settings.of(Map.of(Settings.BRONZE_URL, url))))
                .isInstanceOf(SettingsException.class)
                .hasMessageContaining("SKYFIT_BRONZE_URL")
                .hasMessageContaining("file:")
                .satisfies(e -> assertThat(((SettingsException) e).setting()).isEqualTo(Settings.BRONZE_URL));
    }

    private Path localRoot(String url) {
        BronzeStore store = BronzeStores.open(Settings.of(Map.of(Settings.BRONZE_URL, url)));
        assertThat(store).isInstanceOf(LocalBronzeStore.class);
        return ((LocalBronzeStore) store).root();
    }

    private static AzureBlobBronzeStore azure(Map<String, String> settings) {
        BronzeStore store = BronzeStores.open(Settings.of(settings));
        assertThat(store).isInstanceOf(AzureBlobBronzeStore.class);
        return (AzureBlobBronzeStore) store;
    }
}
