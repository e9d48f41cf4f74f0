package com.skyfit.lake.bronze;

import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * bronze/{source}/scope={scope}/entity={entity}/ingestion_date={YYYY-MM-DD}/run_id={run_id}/part-{NNNNN}.jsonl.gz
 * Deterministic, so a retried extract of the same run and window lands on the same names.
 */
public record BronzePath(String source, String scope, String entity, LocalDate ingestionDate, String runId, int part) {
    private static final Pattern PATTERN = Pattern.compile(
            "bronze/([^/]+)/scope=([^/]+)/entity=([^/]+)/ingestion_date=(\\d{4}-\\d{2}-\\d{2})/run_id=([^/]+)/part-(\\d{5,})\\.jsonl\\.gz");
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9_.\\-]+");

    public BronzePath {
        for (String[] f : new String[][] {{"source", source}, {"scope", scope}, {"entity", entity}, {"run_id", runId}}) {
            if (f[1] == null || !SAFE.matcher(f[1]).matches()) {
                throw new IllegalArgumentException("bronze path " + f[0] + " must match [A-Za-z0-9_.-]+, got '" + f[1] + "'");
            }
        }
        if (part < 0) {
            throw new IllegalArgumentException("part number must be >= 0");
        }
    }

    /** The folder holding all parts of one run of one entity (ends with '/'). */
    public String runFolder() {
        return "bronze/" + source + "/scope=" + scope + "/entity=" + entity + "/ingestion_date=" + ingestionDate
                + "/run_id=" + runId + "/";
    }

    public BronzePath withPart(int n) {
        return new BronzePath(source, scope, entity, ingestionDate, runId, n);
    }

    public String path() {
        return runFolder() + String.format("part-%05d.jsonl.gz", part);
    }

    @Override
    public String toString() {
        return path();
    }

    /** True when the path has a part's shape; {@link #parse} may still refuse it (an impossible date). */
    public static boolean isBronzePart(String path) {
        return PATTERN.matcher(path).matches();
    }

    public static BronzePath parse(String path) {
        Matcher m = PATTERN.matcher(path);
        if (!m.matches()) {
            throw new IllegalArgumentException("not a bronze part path: " + path);
        }
        LocalDate date;
        try {
            date = LocalDate.parse(m.group(4));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("bronze part path " + path + " has an impossible ingestion_date "
                    + m.group(4) + " (" + e.getMessage() + ")", e);
        }
        int part;
        try {
            part = Integer.parseInt(m.group(6));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bronze part path " + path + " has a part number out of range", e);
        }
        BronzePath parsed = new BronzePath(m.group(1), m.group(2), m.group(3), date, m.group(5), part);
        if (!parsed.path().equals(path)) {
            // part-000007 would otherwise be read as part-00007, another blob
            throw new IllegalArgumentException("bronze part path " + path + " is not the name the writer gives part "
                    + part + " (" + parsed.path() + "): extra leading zeros");
        }
        return parsed;
    }
}
