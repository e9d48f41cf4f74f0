package com.skyfit.lake.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.skyfit.lake.config.Redact;
import com.skyfit.lake.config.SourceSettings;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeException;
import dev.failsafe.RetryPolicy;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.StringJoiner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * GETs one page of a source, applying the source's {@link ErrorTable}: transient failures retry with
 * exponential backoff, rate-limit answers wait as the server asks (capped), budget exhaustion and
 * permanent failures end in a {@link SourceException} whose message names the scope and setting.
 * Each token has its own request budget, kept by a {@link RequestGate} (shared in PostgreSQL by every
 * process when the engine has a database), so scopes read in parallel without starving each other and
 * a 429 pauses every request of its token. Bodies are read up to a cap. The credential travels only in
 * a header: never in a URL, a log line or a message.
 */
public final class HttpReader {
    private static final Logger log = LoggerFactory.getLogger(HttpReader.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Duration USE_BACKOFF = Duration.ofMillis(-1);
    /** Rate-limit waits of one GET, in all, may reach this many times (retries + 1) x the longest single wait. */
    static final int RATE_LIMITED_WAIT_FACTOR = 4;

    private final HttpSettings settings;
    private final HttpClient client;
    private final RequestGate gate;

    /** A reader whose request budget is kept in this process only (no database at hand). */
    public HttpReader(HttpSettings settings) {
        this(settings, new LocalRequestGate());
    }

    public HttpReader(HttpSettings settings, RequestGate gate) {
        this.settings = settings;
        this.gate = gate;
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(settings.connectTimeout())
                .build();
    }

    public HttpSettings settings() {
        return settings;
    }

    /**
     * The body of a successful answer to GET {baseUrl}{path}?{query}, or null when the error table
     * says the answer means "nothing here" (IGNORE).
     */
    public byte[] get(ScopeConfig scope, ErrorTable table, String path, Map<String, String> query) {
        String target = path + queryString(query);
        HttpRequest request = HttpRequest.newBuilder(URI.create(scope.baseUrl() + target))
                .timeout(settings.requestTimeout())
                .header("Accept", "application/json")
                .header(scope.credential().header(), scope.credential().value().reveal())
                .GET()
                .build();
        RetryPolicy<HttpResponse<byte[]>> retry = RetryPolicy.<HttpResponse<byte[]>>builder()
                .handleIf((response, failure) -> failure != null
                        ? !CappedBody.isTooLarge(failure) && table.classify(failure).action() == ErrorTable.Action.RETRY
                        : table.classify(answer(response, path)).action() == ErrorTable.Action.RETRY)
                .withBackoff(settings.backoffBase(), settings.backoffMax())
                .withDelayFn(ctx -> rateLimitWait(table, ctx.getLastResult(), path))
                .withMaxRetries(settings.retries())
                .onRetryScheduled(e -> log.warn("{} scope '{}' GET {}: {}; retry {}/{} in {} ms", scope.source(),
                        scope.name(), target, describe(scope, e.getLastResult(), e.getLastException()),
                        e.getAttemptCount(), settings.retries(), e.getDelay().toMillis()))
                .build();
        HttpResponse<byte[]> response;
        try {
            // Rate-limit answers wait as the server says and do not use up the retries of transient failures; their
            // waits together are bounded instead, so a long 429 spell still completes and a stuck one still ends.
            Duration waited = Duration.ZERO;
            Duration bound = settings.maxRetryWait().multipliedBy((settings.retries() + 1L) * RATE_LIMITED_WAIT_FACTOR);
            while (true) {
                response = Failsafe.with(retry).get(() -> send(scope, table, path, request));
                if (table.classify(answer(response, path)).action() != ErrorTable.Action.RATE_LIMITED
                        || waited.compareTo(bound) >= 0) {
                    break;
                }
                Duration wait = rateLimitWait(table, response, path);
                wait = wait.isNegative() ? settings.backoffBase() : wait;
                // a wait of 0 still counts a second, so a server that always answers "now" cannot hold the read forever
                waited = waited.plus(wait.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : wait);
                // send() paused the token for this wait: the next attempt's turn at the gate comes after it.
                log.warn("{} scope '{}' GET {}: HTTP {} (rate limited); waiting {} ms ({} s of at most {} s waited)",
                        scope.source(), scope.name(), target, response.statusCode(), wait.toMillis(),
                        waited.toSeconds(), bound.toSeconds());
            }
        } catch (FailsafeException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            if (cause instanceof InterruptedException) {
                Thread.currentThread().interrupt();
                // Stopped from outside (shutdown, timeout): a later attempt may well succeed.
                throw new SourceException(scope.source(), scope.name(), 0, ErrorTable.Action.RETRY, scope.source()
                        + " scope '" + scope.name() + "' GET " + target + " was interrupted", cause);
            }
            if (CappedBody.isTooLarge(cause)) {
                throw new SourceException(scope.source(), scope.name(), 200, ErrorTable.Action.FAIL,
                        scope.source() + " scope '" + scope.name() + "' answered GET " + target + " with a body larger "
                                + "than " + settings.maxBodyBytes() + " bytes, the most read into memory. Lower the page "
                                + "size or raise the setting " + SourceSettings.HTTP_MAX_BODY_MB + ".", null);
            }
            ErrorTable.Row row = table.classify(cause);
            throw new SourceException(scope.source(), scope.name(), 0, row,
                    message(row.message(), scope, 0, target, describe(cause)), null);
        }
        ErrorTable.Row row = table.classify(answer(response, path));
        if (row.action() == ErrorTable.Action.OK) {
            return response.body();
        }
        if (row.action() == ErrorTable.Action.IGNORE) {
            log.info("{} scope '{}' GET {}: HTTP {} means no records here ({})", scope.source(), scope.name(),
                    target, response.statusCode(), row.name());
            return null;
        }
        String message = message(row.message(), scope, response.statusCode(), target,
                scope.credential().redact(serverMessage(response.body())));
        if (row.action() == ErrorTable.Action.BUDGET_EXHAUSTED) {
            log.warn(message);
            throw new BudgetExhaustedException(scope.source(), scope.name(), row, message);
        }
        if (response.statusCode() == 401 && row.action() == ErrorTable.Action.FAIL) {
            throw new CredentialRejectedException(scope.source(), scope.name(), response.statusCode(), row, message);
        }
        throw new SourceException(scope.source(), scope.name(), response.statusCode(), row, message, null);
    }

    /** One attempt: waits for the token's slot, sends, and on a 429 pauses every request of the token. */
    private HttpResponse<byte[]> send(ScopeConfig scope, ErrorTable table, String path, HttpRequest request)
            throws IOException, InterruptedException {
        long slot = gate.acquire(scope.tokenKey(), scope.label(), settings.requestInterval());
        gate.sending(scope.tokenKey(), scope.label(), slot, settings.requestInterval());
        HttpResponse<byte[]> response = client.send(request, CappedBody.handler(settings.maxBodyBytes()));
        Duration wait = rateLimitWait(table, response, path);
        if (table.classify(answer(response, path)).action() == ErrorTable.Action.RATE_LIMITED) {
            gate.pause(scope.tokenKey(), scope.label(), wait.isNegative() ? settings.backoffBase() : wait);
        }
        return response;
    }

    /** The server's wait for rate-limit answers (capped); a negative delay tells Failsafe to use its backoff. */
    private Duration rateLimitWait(ErrorTable table, HttpResponse<byte[]> last, String path) {
        if (last == null) {
            return USE_BACKOFF;
        }
        ErrorTable.Answer a = answer(last, path);
        if (table.classify(a).action() != ErrorTable.Action.RATE_LIMITED) {
            return USE_BACKOFF;
        }
        return table.requestedWait(a).map(w -> w.compareTo(settings.maxRetryWait()) > 0 ? settings.maxRetryWait() : w)
                .orElse(USE_BACKOFF);
    }

    private static ErrorTable.Answer answer(HttpResponse<byte[]> r, String path) {
        return new ErrorTable.Answer(r.statusCode(), r.headers(), path);
    }

    private static String describe(ScopeConfig scope, HttpResponse<byte[]> r, Throwable failure) {
        if (r != null) {
            return "HTTP " + r.statusCode();
        }
        return scope.credential().redact(describe(failure));
    }

    private static String describe(Throwable failure) {
        String m = failure.getMessage();
        return failure.getClass().getSimpleName() + (m == null || m.isBlank() ? "" : " " + m);
    }

    private static String message(String template, ScopeConfig scope, int status, String path, String error) {
        String m = template.replace("{source}", scope.source()).replace("{scope}", scope.name())
                .replace("{setting}", scope.credential().setting()).replace("{status}", String.valueOf(status))
                .replace("{path}", path).replace("{baseUrl}", scope.baseUrl().toString()).replace("{error}", error);
        return Redact.url(scope.credential().redact(m));
    }

    /** The server's own words: Pipedrive's "error", a generic "message", or the start of the body. */
    static String serverMessage(byte[] body) {
        if (body == null || body.length == 0) {
            return "no message";
        }
        try {
            JsonNode n = MAPPER.readTree(body);
            for (String field : new String[] {"error", "message", "description"}) {
                if (n != null && n.path(field).isTextual()) {
                    return n.get(field).asText();
                }
            }
        } catch (IOException e) {
            // Not JSON: show the text itself.
        }
        String text = new String(body, StandardCharsets.UTF_8).strip();
        return text.length() > 300 ? text.substring(0, 300) + "..." : text;
    }

    static String queryString(Map<String, String> query) {
        if (query.isEmpty()) {
            return "";
        }
        StringJoiner j = new StringJoiner("&", "?", "");
        query.forEach((k, v) -> j.add(URLEncoder.encode(k, StandardCharsets.UTF_8) + "="
                + URLEncoder.encode(v, StandardCharsets.UTF_8)));
        return j.toString();
    }
}
