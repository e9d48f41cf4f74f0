package com.skyfit.lake.source;

import com.skyfit.lake.config.Settings;
import com.skyfit.lake.config.SettingsException;
import com.skyfit.lake.config.SourceKeys;
import com.skyfit.lake.config.SourceSettings;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * The settings of a REST source, read the same way for every source from keys named by {@link SourceKeys}:
 * its accounts ({SOURCE}_SCOPES, then per scope a base URL and a credential), page size, request budget,
 * retries, overlap, start date and how often the streams that reconcile are read whole. A source's config is the few lines that call {@link #read} with its defaults.
 */
public record RestConfig(SourceDefinition definition, List<ScopeConfig> scopes, HttpSettings http, Duration overlap,
        int pageSize, Instant startDate, Duration reconcileEvery) implements SourceConfig {

    public RestConfig {
        scopes = List.copyOf(scopes);
    }

    /** How a scope's credential is read from its settings. */
    @FunctionalInterface
    public interface Auth {
        Credential read(Settings settings, SourceKeys keys, String scope);

        /** {SOURCE}_{SCOPE}_API_TOKEN sent as it is in the named header. */
        static Auth headerToken(String header) {
            return (s, k, scope) -> Credential.headerToken(header,
                    s.secret(k.apiToken(scope), "API token" + of(scope)), k.apiToken(scope));
        }

        /** {SOURCE}_{SCOPE}_API_TOKEN sent as Authorization: Bearer. */
        static Auth bearer() {
            return (s, k, scope) -> Credential.bearer(s.secret(k.apiToken(scope), "API token" + of(scope)),
                    k.apiToken(scope));
        }

        /** {SOURCE}_{SCOPE}_USER and {SOURCE}_{SCOPE}_PASSWORD sent as Authorization: Basic. */
        static Auth basic() {
            return (s, k, scope) -> Credential.basic(s.required(k.user(scope), "user name" + of(scope)),
                    s.secret(k.password(scope), "password" + of(scope)), k.password(scope));
        }

        /**
         * Authorization: Basic from keys the API names its own way: basic("DNS", "SECRET_KEY") reads
         * {SOURCE}_{SCOPE}_DNS as the user and {SOURCE}_{SCOPE}_SECRET_KEY as the password; a rejected pair names both.
         */
        static Auth basic(String userKey, String passwordKey) {
            return (s, k, scope) -> {
                String user = k.scoped(scope, userKey);
                String password = k.scoped(scope, passwordKey);
                return Credential.basic(s.required(user, "the user of the Basic credential" + of(scope)),
                        s.secret(password, "the password of the Basic credential" + of(scope) + ", sent with " + user),
                        user + " / " + password);
            };
        }

        private static String of(String scope) {
            return scope == null ? "" : " of scope " + scope;
        }
    }

    public static Reader read(Settings settings, String source) {
        return new Reader(settings, SourceKeys.of(source));
    }

    /** Reads a REST source's settings; every value is checked and a wrong one names its key. */
    public static final class Reader {
        private final Settings settings;
        private final SourceKeys keys;
        private String scopesHelp;
        private String urlExample;
        private String sharedUrl;
        private Auth auth;
        private boolean singleAccount;
        private boolean pageSizePerStream;
        private boolean slidingWindow;
        private int maxPageSize = 100;
        private int requests = 20;
        private int perSeconds = 2;
        private int overlapMinutes = 10;

        private Reader(Settings settings, SourceKeys keys) {
            this.settings = settings;
            this.keys = keys;
        }

        /** Several accounts: {SOURCE}_SCOPES lists them, each with {SOURCE}_{SCOPE}_BASE_URL and its credential. */
        public Reader scopes(String help, String urlExample, Auth auth) {
            this.scopesHelp = help;
            this.urlExample = urlExample;
            this.auth = auth;
            return this;
        }

        /** One account, scope "default": {SOURCE}_BASE_URL and an unscoped credential ({SOURCE}_API_TOKEN...). */
        public Reader singleAccount(String urlExample, Auth auth) {
            this.singleAccount = true;
            this.urlExample = urlExample;
            this.auth = auth;
            return this;
        }

        /**
         * Every scope reads the one API at {SOURCE}_BASE_URL, by default {@code defaultUrl}, instead of a base URL per
         * scope (the scopes are keys of one service, not accounts with their own hosts).
         */
        public Reader sharedBaseUrl(String defaultUrl) {
            this.sharedUrl = defaultUrl;
            return this;
        }

        /**
         * Each stream declares its own page size (the endpoint's largest), so there is no {SOURCE}_PAGE_SIZE: the
         * definition is built with {@link #maxPageSize}'s value, which it may ignore.
         */
        public Reader pageSizePerStream() {
            this.pageSizePerStream = true;
            return this;
        }

        /** The server counts the request budget in a sliding window (see {@link HttpSettings#requestInterval()}). */
        public Reader slidingWindow() {
            this.slidingWindow = true;
            return this;
        }

        /** The largest page the API serves, also the default of {SOURCE}_PAGE_SIZE. */
        public Reader maxPageSize(int n) {
            this.maxPageSize = n;
            return this;
        }

        /** The default request budget per token: {SOURCE}_REQUESTS_PER_{seconds}S. */
        public Reader rate(int requests, int perSeconds) {
            this.requests = requests;
            this.perSeconds = perSeconds;
            return this;
        }

        public Reader overlapMinutes(int minutes) {
            this.overlapMinutes = minutes;
            return this;
        }

        public RestConfig build(IntFunction<SourceDefinition> definitionOfPageSize) {
            List<ScopeConfig> scopes = new ArrayList<>();
            if (singleAccount) {
                scopes.add(scope(null, "default"));
            } else {
                List<String> names = SourceSettings.scopes(settings, keys.scopes());
                if (names.isEmpty()) {
                    throw new SettingsException(keys.scopes(), "is required (" + scopesHelp + ")");
                }
                names.forEach(n -> scopes.add(scope(n, n)));
            }
            int pageSize = pageSizePerStream ? maxPageSize : settings.integer(keys.pageSize(), maxPageSize, 1, maxPageSize);
            HttpSettings http = HttpSettings.defaults()
                    .withRetries(settings.integer(keys.httpRetries(), 5, 0, 20))
                    .withMaxRetryWait(Duration.ofSeconds(settings.integer(keys.maxRetryWaitSeconds(), 120, 1, 3600)))
                    .withRate(settings.integer(keys.requestsPer(perSeconds), requests, 1, 100_000),
                            Duration.ofSeconds(perSeconds))
                    .withMaxBodyBytes(SourceSettings.maxBodyBytes(settings))
                    .withClockSkew(SourceSettings.clockSkew(settings));
            http = slidingWindow ? http.withSlidingWindow() : http;
            SourceDefinition definition = definitionOfPageSize.apply(pageSize);
            // The skew rule guards update-time watermarks; a source read only by date windows or whole lists may
            // run without overlap.
            boolean updatedSince = definition.streams().stream().anyMatch(st -> st.kind() == StreamSpec.Kind.UPDATED_SINCE);
            Duration overlap = updatedSince ? SourceSettings.overlap(settings, keys.overlapMinutes(), overlapMinutes)
                    : Duration.ofMinutes(settings.integer(keys.overlapMinutes(), overlapMinutes, 0, 7 * 24 * 60));
            // A windowed stream's API wants a date range: its full loads and re-scans need a first day.
            boolean windowed = definition.streams().stream().anyMatch(st -> st.kind() == StreamSpec.Kind.EVENT_WINDOWS);
            // Only a source with streams that find deletes by a whole read has the setting.
            boolean reconciles = definition.streams().stream().anyMatch(StreamSpec::reconciles);
            Duration reconcileEvery = reconciles ? Duration.ofDays(settings.integer(keys.reconcileDays(), 7, 0, 366)) : null;
            return new RestConfig(definition, scopes, http, overlap, pageSize, windowed ? startDate() : null,
                    reconcileEvery);
        }

        private ScopeConfig scope(String keyScope, String name) {
            URI url = sharedUrl != null ? sharedBaseUrl() : SourceSettings.baseUrl(settings, keys.baseUrl(keyScope), urlExample);
            return new ScopeConfig(keys.source(), name, url, auth.read(settings, keys, keyScope));
        }

        private URI sharedBaseUrl() {
            String key = keys.baseUrl(null);
            Settings withDefault = settings.optional(key).isPresent() ? settings : settings.with(key, sharedUrl);
            return SourceSettings.baseUrl(withDefault, key, urlExample);
        }

        private Instant startDate() {
            String v = settings.required(keys.startDate(), "the first day to read, YYYY-MM-DD: where full loads and "
                    + "re-scans of the source's windowed streams start");
            try {
                return LocalDate.parse(v).atStartOfDay(ZoneOffset.UTC).toInstant();
            } catch (DateTimeParseException e) {
                throw new SettingsException(keys.startDate(), "must be a date YYYY-MM-DD, got '" + v + "'");
            }
        }
    }
}
