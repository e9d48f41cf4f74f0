package com.skyfit.lake.source;

import java.io.IOException;
import java.net.http.HttpHeaders;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * What the reader does with each answer, as data: the first row whose condition holds decides.
 * Messages are templates with {source}, {scope}, {setting}, {status}, {path} and {error} (the
 * server's own message, redacted), so every failure tells the user what to do next.
 */
public final class ErrorTable {

    /**
     * What to do with an answer, and whether a failure of that kind is permanent: a later attempt of
     * the same request cannot fix it, so the caller fails at once instead of trying again later. The
     * matched row travels with the failure ({@link SourceException#row()}), so no caller decides again.
     */
    public enum Action {
        /** The answer carries data. */
        OK(false),
        /** Transient: retry with exponential backoff, a bounded number of times. */
        RETRY(false),
        /** Too many requests: every request of the token waits as long as the server says (capped), then retries. */
        RATE_LIMITED(false),
        /** The account's budget is used up: stop this scope cleanly, keep its watermark. */
        BUDGET_EXHAUSTED(true),
        /** The API answers "nothing here" with a status (a list that does not exist for this account): no records. */
        IGNORE(false),
        /** Permanent: fail at once. */
        FAIL(true);

        private final boolean permanent;

        Action(boolean permanent) {
            this.permanent = permanent;
        }

        public boolean permanent() {
            return permanent;
        }
    }

    /** One answer as the table sees it. */
    public record Answer(int status, HttpHeaders headers, String path) {
        public Answer(int status, HttpHeaders headers) {
            this(status, headers, "");
        }

        public Optional<String> header(String name) {
            return headers.firstValue(name);
        }
    }

    public record Row(String name, Predicate<Answer> when, Action action, String message) {
        public boolean permanent() {
            return action.permanent();
        }
    }

    private final List<Row> rows;
    private final List<String> waitHeaders;
    private final Row connectionFailure;

    private ErrorTable(List<Row> rows, List<String> waitHeaders, Row connectionFailure) {
        this.rows = List.copyOf(rows);
        this.waitHeaders = List.copyOf(waitHeaders);
        this.connectionFailure = connectionFailure;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Row classify(Answer answer) {
        for (Row row : rows) {
            if (row.when().test(answer)) {
                return row;
            }
        }
        throw new IllegalStateException("error table has no row for HTTP " + answer.status());
    }

    /** Failures before any answer (refused, reset, timed out) are transient, within the retry bound. */
    public Row classify(Throwable failure) {
        return failure instanceof IOException ? connectionFailure
                : new Row("unexpected", a -> true, Action.FAIL, connectionFailure.message());
    }

    /** Seconds the server asks us to wait, from the first wait header present (Retry-After, x-ratelimit-reset...). */
    public Optional<Duration> requestedWait(Answer answer) {
        for (String h : waitHeaders) {
            Optional<String> v = answer.header(h);
            if (v.isPresent()) {
                try {
                    return Optional.of(Duration.ofMillis(Math.round(Double.parseDouble(v.get().trim()) * 1000)));
                } catch (NumberFormatException e) {
                    // An HTTP-date Retry-After is legal but unused by these APIs: fall back to backoff.
                }
            }
        }
        return Optional.empty();
    }

    public static final class Builder {
        private final List<Row> rows = new ArrayList<>();
        private final List<String> waitHeaders = new ArrayList<>();
        private Row connectionFailure = new Row("connection failure", a -> false, Action.RETRY,
                "could not reach {source} scope '{scope}' at {baseUrl}: {error}");

        public Builder on(String name, Predicate<Answer> when, Action action, String message) {
            rows.add(new Row(name, when, action, message));
            return this;
        }

        public Builder onStatus(int status, Action action, String message) {
            return on("HTTP " + status, a -> a.status() == status, action, message);
        }

        public Builder onStatus(int from, int to, Action action, String message) {
            return on("HTTP " + from + "-" + to, a -> a.status() >= from && a.status() <= to, action, message);
        }

        /** A status that means "no records" on the given path (e.g. 404 on a list the account does not have). */
        public Builder ignoreStatus(int status, String path) {
            return on("HTTP " + status + " on " + path + " (nothing here)",
                    a -> a.status() == status && a.path().equals(path), Action.IGNORE, null);
        }

        public Builder waitHeaders(String... names) {
            waitHeaders.addAll(List.of(names));
            return this;
        }

        public Builder connectionFailure(String message) {
            connectionFailure = new Row("connection failure", a -> false, Action.RETRY, message);
            return this;
        }

        /** The rows every REST source shares; a source puts its own rows before these. */
        public Builder standardRows() {
            return onStatus(200, 299, Action.OK, null)
                    .onStatus(429, Action.RATE_LIMITED,
                            "{source} scope '{scope}' stayed rate limited (HTTP 429) on GET {path} after every retry")
                    .onStatus(401, Action.FAIL,
                            "{source} scope '{scope}' rejected the credentials (HTTP 401: {error}). "
                                    + "Check the setting {setting}.")
                    .onStatus(403, Action.FAIL,
                            "{source} scope '{scope}' refused access (HTTP 403: {error}). "
                                    + "Check that the user behind {setting} may read {path}.")
                    .onStatus(500, 599, Action.RETRY,
                            "{source} scope '{scope}' kept failing on GET {path} (HTTP {status}: {error}) after every retry")
                    .onStatus(400, Action.FAIL, "{source} scope '{scope}' refused GET {path} (HTTP 400): {error}")
                    .onStatus(404, Action.FAIL, "{source} scope '{scope}' has no {path} (HTTP 404): {error}. Check the base URL.")
                    .on("other", a -> true, Action.FAIL,
                            "{source} scope '{scope}' answered GET {path} with HTTP {status}: {error}")
                    .waitHeaders("Retry-After", "x-ratelimit-reset");
        }

        public ErrorTable build() {
            return new ErrorTable(rows, waitHeaders, connectionFailure);
        }
    }
}
