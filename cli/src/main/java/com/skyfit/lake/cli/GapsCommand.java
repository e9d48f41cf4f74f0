package com.skyfit.lake.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.skyfit.lake.config.Settings;
import com.skyfit.lake.config.SettingsException;
import com.skyfit.lake.config.SourceKeys;
import com.skyfit.lake.config.SourceSettings;
import com.skyfit.lake.control.Database;
import com.skyfit.lake.control.GapAnalysis;
import com.skyfit.lake.control.GapReport;
import com.skyfit.lake.source.Sources;
import com.skyfit.lake.source.StreamSpec;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "gaps", mixinStandardHelpOptions = true,
        description = "Which days of a range each windowed entity has extracted, failed or never read, with record "
                + "counts per day from the window and file ledgers; days with far fewer records than the range's "
                + "median stand out. Ends with the backfill commands that read only the missing days.")
final class GapsCommand implements Callable<Integer> {
    @Option(names = "--source", required = true, description = "Source to analyse, e.g. evo.")
    String source;

    @Option(names = "--entity", split = ",", description = "Only these entities (default: every windowed entity).")
    List<String> entities = List.of();

    @Option(names = "--scope", split = ",", description = "Only these scopes (default: every scope on record).")
    List<String> scopes = List.of();

    @Option(names = "--from", description = "First day, YYYY-MM-DD (default: the source's START_DATE, else its first "
            + "window on record).")
    String from;

    @Option(names = "--to", description = "Last day, YYYY-MM-DD (default: today, UTC).")
    String to;

    @Option(names = "--gaps-only", description = "List only the days not extracted or standing out (totals stay whole).")
    boolean gapsOnly;

    @Option(names = "--json", description = "Print the report as JSON, for scripts.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        Settings settings = CliSettings.load();
        Sources.Entry entry = knownSource();
        List<String> windowed = windowedEntities(entry);
        LocalDate last = to == null ? LocalDate.now(ZoneOffset.UTC) : day("--to", to);
        LocalDate startDate = from != null ? day("--from", from) : startDate(settings);
        if (startDate != null && startDate.isAfter(last)) {
            throw new IllegalArgumentException("--from (" + startDate + ") is after --to (" + last + ")");
        }
        try (Database db = Database.open(settings)) {
            GapAnalysis gaps = new GapAnalysis(db, GapAnalysis.readLag(settings));
            List<String> scopeList = scopes(settings, gaps);
            LocalDate first = startDate != null ? startDate
                    : gaps.firstWindowDay(source, windowed).orElse(last);
            if (first.isAfter(last)) {
                throw new IllegalArgumentException("the first window on record (" + first + ") is after --to (" + last + ")");
            }
            GapReport report = gaps.report(source, scopeList, windowed, first, last,
                    SourceSettings.scopes(settings, SourceKeys.of(source).scopes()));
            if (json) {
                System.out.println(new ObjectMapper().registerModule(new JavaTimeModule())
                        .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                        .writerWithDefaultPrettyPrinter().writeValueAsString(report));
            } else {
                GapsTable.print(report, gapsOnly, System.out);
            }
            return 0;
        }
    }

    private Sources.Entry knownSource() {
        if (!Sources.names().contains(source)) {
            throw new IllegalArgumentException("unknown source '" + source + "'; known sources: "
                    + String.join(", ", Sources.names()));
        }
        return Sources.get(source);
    }

    /** The asked entities, or every entity read in windows; an entity read whole each run has no days to show. */
    private List<String> windowedEntities(Sources.Entry entry) {
        List<String> all = entry.entities().stream().filter(e -> windowed(entry, e)).toList();
        if (entities.isEmpty()) {
            return all;
        }
        for (String e : entities) {
            if (!entry.entities().contains(e)) {
                throw new IllegalArgumentException("unknown entity '" + e + "' for source " + source + "; known: "
                        + String.join(", ", entry.entities()));
            }
            if (!all.contains(e)) {
                throw new IllegalArgumentException("entity '" + e + "' of source " + source + " is read whole every run: "
                        + "it has no windows to analyse; windowed entities: " + String.join(", ", all));
            }
        }
        return List.copyOf(entities);
    }

    private static boolean windowed(Sources.Entry entry, String entity) {
        return !entry.isRest() || entry.definition().stream(entity).kind() != StreamSpec.Kind.WHOLE_LIST;
    }

    /** The source's START_DATE when set (a bad one is named), else null: the first window on record decides. */
    private LocalDate startDate(Settings settings) {
        String key = SourceKeys.of(source).startDate();
        return settings.optional(key).map(v -> {
            try {
                return LocalDate.parse(v.trim());
            } catch (DateTimeParseException e) {
                throw new SettingsException(key, "must be a date YYYY-MM-DD, got '" + v + "'");
            }
        }).orElse(null);
    }

    private List<String> scopes(Settings settings, GapAnalysis gaps) {
        List<String> onRecord = gaps.scopesOnRecord(source);
        List<String> configured = SourceSettings.scopes(settings, SourceKeys.of(source).scopes());
        if (!scopes.isEmpty()) {
            // a mistyped scope would show every day missing and print backfills the planner then refuses
            java.util.Set<String> known = new java.util.TreeSet<>(onRecord);
            known.addAll(configured);
            List<String> asked = SourceSettings.normalizeScopes(scopes);
            for (String s : asked) {
                if (!known.contains(s)) {
                    throw new IllegalArgumentException("unknown scope '" + s + "' for source " + source
                            + "; on record or configured: " + (known.isEmpty() ? "none" : String.join(", ", known)));
                }
            }
            return asked;
        }
        if (!onRecord.isEmpty()) {
            return onRecord;
        }
        if (configured.isEmpty()) {
            throw new IllegalArgumentException("no run of source " + source + " is on record and "
                    + SourceKeys.of(source).scopes() + " is not set: name the scopes with --scope");
        }
        return configured;
    }

    private static LocalDate day(String option, String value) {
        try {
            return LocalDate.parse(value.trim());
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(option + " must be a date YYYY-MM-DD, got '" + value + "'");
        }
    }
}
