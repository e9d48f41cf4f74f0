package com.skyfit.lake.source.zendesk;

import com.skyfit.lake.config.Secret;
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
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;

/**
 * Zendesk settings: one account (ZENDESK_BASE_URL, named ZENDESK_SCOPE), authenticated either by an OAuth token
 * (Bearer) or by an agent's email and API token (Basic {email}/token:{token}). API tokens stop working on
 * 2027-04-30, so OAuth is the path that lasts; when both are set, OAuth is used. Every request of the account,
 * exports and lists alike, keeps the incremental-export limit (10 a minute by default), shared by every process.
 */
public record ZendeskConfig(List<ScopeConfig> scopes, long startEpochSecond, HttpSettings http, int exportPageSize)
        implements SourceConfig {
    public static final String BASE_URL = "ZENDESK_BASE_URL";
    public static final String SCOPE = "ZENDESK_SCOPE";
    public static final String EMAIL = "ZENDESK_EMAIL";
    public static final String API_TOKEN = "ZENDESK_API_TOKEN";
    public static final String OAUTH_TOKEN = "ZENDESK_OAUTH_TOKEN";
    public static final String EXPORT_REQUESTS_PER_MINUTE = "ZENDESK_EXPORT_REQUESTS_PER_MINUTE";
    public static final String START_DATE = "ZENDESK_START_DATE";
    public static final String EXPORT_PAGE_SIZE = "ZENDESK_EXPORT_PAGE_SIZE";
    public static final String SCHEDULE = "ZENDESK_SCHEDULE";
    /** Every key this source reads, for the documentation checks. */
    public static final List<String> KEYS = List.of(BASE_URL, SCOPE, EMAIL, API_TOKEN, OAUTH_TOKEN,
            EXPORT_REQUESTS_PER_MINUTE, START_DATE, SCHEDULE);
    /**
     * An incremental read starts this long before the watermark. The export refuses a start time within the last
     * minute, and it leaves out the changes of the last minute: both are covered by starting earlier.
     */
    static final Duration OVERLAP = Duration.ofMinutes(10);

    public static ZendeskConfig fromSettings(Settings settings) {
        URI url = SourceSettings.baseUrl(settings, BASE_URL, "https://yourcompany.zendesk.com");
        String scope = SourceSettings.normalizeScope(settings.string(SCOPE, "support"));
        if (!scope.matches("[a-z][a-z0-9_]*")) {
            throw new SettingsException(SCOPE, "must be letters, digits and _ (starting with a letter), got '"
                    + scope + "'");
        }
        ScopeConfig account = new ScopeConfig(ZendeskSource.NAME, scope, url, credential(settings));
        int perMinute = settings.integer(EXPORT_REQUESTS_PER_MINUTE, 10, 1, 10_000);
        HttpSettings http = HttpSettings.defaults()
                .withRate(perMinute, Duration.ofMinutes(1))
                // Retry-After on an export 429 is up to a minute; waiting is cheaper than failing the run.
                .withMaxRetryWait(Duration.ofSeconds(120))
                .withRetries(8)
                .withMaxBodyBytes(SourceSettings.maxBodyBytes(settings))
                .withClockSkew(SourceSettings.clockSkew(settings));
        // per_page of the exports; a page all in one second is taken as that second whole only past this size.
        int pageSize = settings.integer(EXPORT_PAGE_SIZE, ZendeskSource.EXPORT_PAGE_SIZE, 1, ZendeskSource.EXPORT_PAGE_SIZE);
        return new ZendeskConfig(List.of(account), startEpoch(settings), http, pageSize);
    }

    /** OAuth when set; otherwise email and API token, both required. */
    static Credential credential(Settings settings) {
        var oauth = settings.optionalSecret(OAUTH_TOKEN);
        if (oauth.isPresent()) {
            return Credential.bearer(oauth.get(), OAUTH_TOKEN);
        }
        if (settings.optional(EMAIL).isEmpty() && settings.optional(API_TOKEN).isEmpty()) {
            throw new SettingsException(OAUTH_TOKEN, "or " + EMAIL + " with " + API_TOKEN + " is required "
                    + "to read Zendesk (API tokens stop working on 2027-04-30: prefer an OAuth token)");
        }
        String email = settings.required(EMAIL, "email of the Zendesk agent who owns " + API_TOKEN);
        Secret token = settings.secret(API_TOKEN, "API token of " + EMAIL);
        // Zendesk's user for an API token is "{email}/token": Basic {email}/token:{token}.
        return Credential.basic(email + "/token", token, EMAIL + " / " + API_TOKEN);
    }

    private static long startEpoch(Settings settings) {
        String raw = settings.optional(START_DATE).orElse(null);
        if (raw == null) {
            return 0;
        }
        try {
            return LocalDate.parse(raw.trim()).atStartOfDay(ZoneOffset.UTC).toEpochSecond();
        } catch (DateTimeParseException e) {
            throw new SettingsException(START_DATE, "must be a date YYYY-MM-DD, got '" + raw + "'");
        }
    }

    @Override
    public SourceDefinition definition() {
        return ZendeskSource.definition(startEpochSecond, exportPageSize);
    }

    @Override
    public Duration overlap() {
        return OVERLAP;
    }

    @Override
    public java.time.Instant startDate() {
        return java.time.Instant.ofEpochSecond(startEpochSecond);
    }
}
