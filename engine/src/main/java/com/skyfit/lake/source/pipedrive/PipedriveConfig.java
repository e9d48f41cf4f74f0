package com.skyfit.lake.source.pipedrive;

import com.skyfit.lake.config.Settings;
import com.skyfit.lake.config.SourceKeys;
import com.skyfit.lake.source.RestConfig;

/**
 * Pipedrive settings. Each scope is one company account with its own base URL and API token:
 * PIPEDRIVE_SCOPES=commercial,expansion, then PIPEDRIVE_COMMERCIAL_BASE_URL, PIPEDRIVE_COMMERCIAL_API_TOKEN...
 */
public final class PipedriveConfig {
    public static final SourceKeys KEYS = SourceKeys.of(PipedriveSource.NAME);

    private PipedriveConfig() {}

    public static RestConfig fromSettings(Settings settings) {
        return RestConfig.read(settings, PipedriveSource.NAME)
                .scopes("the Pipedrive company accounts to read, e.g. commercial,expansion",
                        "https://company.pipedrive.com", RestConfig.Auth.headerToken("x-api-token"))
                .maxPageSize(PipedriveSource.MAX_PAGE_SIZE).rate(20, 2).overlapMinutes(10)
                .build(PipedriveSource::definition);
    }
}
