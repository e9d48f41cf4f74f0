package com.skyfit.lake.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeException;
import dev.failsafe.RateLimiter;
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
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * GETs one page of a source, applying the source's {@link ErrorTable}: transient failures retry with
 * exponential backoff, rate-limit answers wait as the server asks (capped), budget exhaustion and
 * permanent failures end in a {@link SourceException} whose message names the scope and setting.
 * Each scope has its own request budget, so scopes read in parallel without starving each other.
 * The credential travels only in a header: never in a URL, a log line or a message.
 */
public final class HttpReader {
    private static final Logger log = LoggerFactory.getLogger(HttpReader.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Duration USE_BACKOFF = Duration.ofMillis(-1);

    private final HttpSettings settings;
    private final HttpClient client;
    private final Map<String, RateLimiter<HttpResponse<byte[]>>> limiters = new ConcurrentHashMap<>();

    public HttpReader(HttpSettings settings) {
        this.settings = settings;
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(settings.connectTimeout())
                .build();
    }

    public HttpSettings settings() {
        return settings;
    }

    /** The body of a successful answer to GET {baseUrl}{path}?{query}. */
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
                        ? table.classify(failure).action() == ErrorTable.Action.RETRY
                        : retriable(table.classify(answer(response)).action()))
                .withBackoff(settings.backoffBase(), settings.backoffMax())
                .withDelayFn(ctx -> rateLimitWait(table, ctx.getLastResult()))
                .withMaxRetries(settings.retries())
                .onRetryScheduled(e -> log.warn("{} scope '{}' GET {}: {}; retry {}/{} in {} ms", scope.source(),
                        scope.name(), target, describe(scope, e.getLastResult(), e.getLastException()),
                        e.getAttemptCount(), settings.retries(), e.getDelay().toMillis()))
                .build();
        HttpResponse<byte[]> response;
        try {
            response = Failsafe.with(retry).compose(limiter(scope))
                    .get(() -> client.send(request, HttpResponse.BodyHandlers.ofByteArray()));
        } catch (FailsafeException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            if (cause instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new SourceException(scope.source(), scope.name(), 0,
                    message(table.classify(cause).message(), scope, 0, target, describe(cause)), null);
        }
        ErrorTable.Row row = table.classify(answer(response));
        if (row.action() == ErrorTable.Action.OK) {
            return response.body();
        }
        String message = message(row.message(), scope, response.statusCode(), target,
                scope.credential().value().redact(serverMessage(response.body())));
        if (row.action() == ErrorTable.Action.BUDGET_EXHAUSTED) {
            log.warn(message);
            throw new BudgetExhaustedException(scope.source(), scope.name(), message);
        }
        throw new SourceException(scope.source(), scope.name(), response.statusCode(), message, null);
    }

    /** The server's wait for rate-limit answers (capped); a negative delay tells Failsafe to use its backoff. */
    private Duration rateLimitWait(ErrorTable table, HttpResponse<byte[]> last) {
        if (last == null) {
            return USE_BACKOFF;
        }
        ErrorTable.Answer a = answer(last);
        if (table.classify(a).action() != ErrorTable.Action.RATE_LIMITED) {
            return USE_BACKOFF;
        }
        return table.requestedWait(a).map(w -> w.compareTo(settings.maxRetryWait()) > 0 ? settings.maxRetryWait() : w)
                .orElse(USE_BACKOFF);
    }

    private RateLimiter<HttpResponse<byte[]>> limiter(ScopeConfig scope) {
        return limiters.computeIfAbsent(scope.limiterKey(), k -> RateLimiter.<HttpResponse<byte[]>>burstyBuilder(
                settings.requestsPerWindow(), settings.window()).withMaxWaitTime(Duration.ofMinutes(10)).build());
    }

    private static boolean retriable(ErrorTable.Action action) {
        return action == ErrorTable.Action.RETRY || action == ErrorTable.Action.RATE_LIMITED;
    }

    private static ErrorTable.Answer answer(HttpResponse<byte[]> r) {
        return new ErrorTable.Answer(r.statusCode(), r.headers());
    }

    private static String describe(ScopeConfig scope, HttpResponse<byte[]> r, Throwable failure) {
        if (r != null) {
            return "HTTP " + r.statusCode();
        }
        return scope.credential().value().redact(describe(failure));
    }

    private static String describe(Throwable failure) {
        String m = failure.getMessage();
        return failure.getClass().getSimpleName() + (m == null || m.isBlank() ? "" : " " + m);
    }

    private static String message(String template, ScopeConfig scope, int status, String path, String error) {
        String m = template.replace("{source}", scope.source()).replace("{scope}", scope.name())
                .replace("{setting}", scope.credential().setting()).replace("{status}", String.valueOf(status))
                .replace("{path}", path).replace("{baseUrl}", scope.baseUrl().toString()).replace("{error}", error);
        return scope.credential().value().redact(m);
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
