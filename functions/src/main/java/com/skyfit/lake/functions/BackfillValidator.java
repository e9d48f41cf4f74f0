package com.skyfit.lake.functions;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Checks a backfill request in two steps: its shape against schemas/backfill-request.schema.json, then
 * what a schema cannot say (the source and entities exist, the dates are real days in order, the range
 * is not too long). Every problem is reported in words a caller can act on.
 */
public final class BackfillValidator {
    private static final JsonSchema SCHEMA = load();

    /** Either a request or the list of what is wrong with it. */
    public record Result(BackfillRequest request, List<String> problems) {
        public boolean valid() {
            return problems.isEmpty();
        }
    }

    private final int maxDays;

    public BackfillValidator(int maxDays) {
        this.maxDays = maxDays;
    }

    public Result validate(String body) {
        if (body == null || body.isBlank()) {
            return invalid("the body is empty: send JSON such as {\"source\":\"pipedrive\",\"from\":\"2025-01-01\",\"to\":\"2025-01-31\"}");
        }
        JsonNode json;
        try {
            json = ActivityInput.JSON.readTree(body);
        } catch (JsonProcessingException e) {
            return invalid("the body is not valid JSON: " + e.getOriginalMessage());
        }
        List<String> problems = new ArrayList<>();
        for (ValidationMessage m : SCHEMA.validate(json)) {
            problems.add(m.getMessage());
        }
        if (!problems.isEmpty()) {
            return new Result(null, problems.stream().sorted().toList());
        }
        BackfillRequest r = ActivityInput.JSON.convertValue(json, BackfillRequest.class);
        Optional<List<String>> entities = KnownSources.entities(r.source());
        if (entities.isEmpty()) {
            problems.add("unknown source '" + r.source() + "': known sources are " + KnownSources.sources());
        } else if (r.entities() != null) {
            for (String e : r.entities()) {
                if (!entities.get().contains(e)) {
                    problems.add("unknown entity '" + e + "' of source " + r.source() + ": known entities are " + entities.get());
                }
            }
        }
        LocalDate from = date("from", r.from(), problems);
        LocalDate to = date("to", r.to(), problems);
        if (from != null && to != null) {
            if (from.isAfter(to)) {
                problems.add("from (" + from + ") is after to (" + to + ")");
            } else {
                long days = ChronoUnit.DAYS.between(from, to) + 1;
                if (days > maxDays) {
                    problems.add("the range covers " + days + " days, more than the " + maxDays
                            + " allowed (SKYFIT_BACKFILL_MAX_DAYS): split it into shorter backfills");
                }
            }
        }
        return problems.isEmpty() ? new Result(r, List.of()) : new Result(null, problems);
    }

    private static LocalDate date(String field, String value, List<String> problems) {
        try {
            return LocalDate.parse(value);
        } catch (DateTimeParseException e) {
            problems.add(field + " '" + value + "' is not a calendar date (YYYY-MM-DD)");
            return null;
        }
    }

    private static Result invalid(String problem) {
        return new Result(null, List.of(problem));
    }

    private static JsonSchema load() {
        try (InputStream in = BackfillValidator.class.getResourceAsStream("/schemas/backfill-request.schema.json")) {
            if (in == null) {
                throw new IllegalStateException("schemas/backfill-request.schema.json is missing from the classpath");
            }
            return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(in);
        } catch (IOException e) {
            throw new IllegalStateException("Could not read the backfill request schema", e);
        }
    }
}
