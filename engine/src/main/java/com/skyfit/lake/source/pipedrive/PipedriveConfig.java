package com.skyfit.lake.source.pipedrive;

import com.skyfit.lake.config.Settings;
import com.skyfit.lake.config.SettingsException;
import com.skyfit.lake.config.SourceSettings;
import com.skyfit.lake.source.Credential;
import com.skyfit.lake.source.HttpSettings;
import com.skyfit.lake.source.ScopeConfig;
import com.skyfit.lake.source.SourceConfig;
import com.skyfit.lake.source.SourceDefinition;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Pipedrive settings. Each scope is one company account with its own base URL and API token:
 * PIPEDRIVE_SCOPES=commercial,expansion, then PIPEDRIVE_COMMERCIAL_BASE_URL, PIPEDRIVE_COMMERCIAL_API_TOKEN...
 */
public record PipedriveConfig(List<ScopeConfig> scopes, Duration overlap, int pageSize, HttpSettings http,
        Duration reconcileEvery)
        implements SourceConfig {
    public static final String SCOPES = "PIPEDRIVE_SCOPES";
    public static final String OVERLAP_MINUTES = "PIPEDRIVE_OVERLAP_MINUTES";
    public static final String PAGE_SIZE = "PIPEDRIVE_PAGE_SIZE";
    public static final String REQUESTS_PER_2S = "PIPEDRIVE_REQUESTS_PER_2S";
    public static final String MAX_RETRY_WAIT_SECONDS = "PIPEDRIVE_MAX_RETRY_WAIT_SECONDS";
    public static final String HTTP_RETRIES = "PIPEDRIVE_HTTP_RETRIES";
    /** Days between unfiltered reads of the streams whose deletes only such a read finds; 0: every run. */
    public static final String RECONCILE_DAYS = "PIPEDRIVE_RECONCILE_DAYS";

    public static String baseUrlSetting(String scope) {
        return "PIPEDRIVE_" + scope.toUpperCase(Locale.ROOT) + "_BASE_URL";
    }

    public static String tokenSetting(String scope) {
        return "PIPEDRIVE_" + scope.toUpperCase(Locale.ROOT) + "_API_TOKEN";
    }

    public static PipedriveConfig fromSettings(Settings settings) {
        List<String> names = SourceSettings.scopes(settings, SCOPES);
        if (names.isEmpty()) {
            throw new SettingsException(SCOPES, "is required (the Pipedrive company accounts to read, e.g. commercial,expansion)");
        }
        List<ScopeConfig> scopes = new ArrayList<>();
        for (String name : names) {
            String urlKey = baseUrlSetting(name);
            String tokenKey = tokenSetting(name);
            URI url = SourceSettings.baseUrl(settings, urlKey, "https://company.pipedrive.com");
            Credential credential = new Credential("x-api-token", settings.secret(tokenKey, "API token of the " + name + " company"), tokenKey);
            scopes.add(new ScopeConfig(PipedriveSource.NAME, name, url, credential));
        }
        int pageSize = settings.integer(PAGE_SIZE, PipedriveSource.MAX_PAGE_SIZE, 1, PipedriveSource.MAX_PAGE_SIZE);
        HttpSettings http = HttpSettings.defaults()
                .withRetries(settings.integer(HTTP_RETRIES, 5, 0, 20))
                .withMaxRetryWait(Duration.ofSeconds(settings.integer(MAX_RETRY_WAIT_SECONDS, 120, 1, 3600)))
                .withRate(settings.integer(REQUESTS_PER_2S, 20, 1, 1000), Duration.ofSeconds(2))
                .withMaxBodyBytes(SourceSettings.maxBodyBytes(settings))
                .withClockSkew(SourceSettings.clockSkew(settings));
        Duration overlap = Duration.ofMinutes(settings.integer(OVERLAP_MINUTES, 10, 0, 7 * 24 * 60));
        Duration reconcile = Duration.ofDays(settings.integer(RECONCILE_DAYS, 7, 0, 366));
        return new PipedriveConfig(List.copyOf(scopes), overlap, pageSize, http, reconcile);
    }

    @Override
    public SourceDefinition definition() {
        return PipedriveSource.definition(pageSize);
    }
}
