package com.skyfit.lake.core;

import static com.skyfit.lake.core.EvoCoreIT.entry;
import static com.skyfit.lake.core.EvoCoreIT.entryKey;
import static org.assertj.core.api.Assertions.assertThat;

import com.skyfit.lake.config.Secret;
import com.skyfit.lake.control.Database;
import com.skyfit.lake.testing.TestPostgres;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The entry key hashes normalised values: one entry spelled several ways is one row, two entries are two rows,
 * and rows keyed the old way (V060) get the new key when V061 runs.
 */
class EvoEntryKeyIT {
    /** The key ops.evo_entry_key gives a staging row s over its fields as sent. */
    private static final String BY_FUNCTION = "ops.evo_entry_key(s.raw ->> 'idBranch', s.raw ->> 'date', "
            + "s.raw ->> 'idMember', s.raw ->> 'idProspect', s.raw ->> 'entryType', s.raw ->> 'device')";

    @TempDir
    Path folder;

    private static final String BASE = entry("2024-05-01T07:12:05", 1001L, null, "Membership", "Turnstile 1", null);

    /** The same entry as EVO may send it. */
    private static final List<String> SPELLINGS = List.of(
            BASE,
            entry("2024-05-01T07:12:05.000", 1001L, null, "Membership", "Turnstile 1", null),
            entry("2024-05-01 07:12:05", 1001L, null, "Membership", "Turnstile 1", null),
            entry("2024-05-01T07:12:05", "1001.0", null, "Membership", "Turnstile 1", null),
            entry("2024-05-01T07:12:05", "\"1001\"", null, "Membership", "Turnstile 1", null),
            entry("2024-05-01T07:12:05", 1001L, null, " Membership", "Turnstile 1 ", null),
            entry("2024-05-01T07:12:05", 1001L, null, "Membership", "Turnstile 1", null).replace("\"idBranch\": 3",
                    "\"idBranch\": 3.00"),
            entry("2024-05-01T07:12:05", 1001L, null, "Membership", "Turnstile 1", null).replace("\"idProspect\": null, ",
                    ""));

    @Test
    void oneEntrySpelledEveryWayIsOneRowAndDifferentEntriesDiffer() throws Exception {
        try (Database db = TestPostgres.newDatabase()) {
            Staging staging = new Staging(db);
            EvoBronze bronze = new EvoBronze(db, folder);
            TransformRunner runner = new TransformRunner(db);
            bronze.load("entries", "20260102T060000Z-e1", BASE);
            assertThat(runner.run(CoreTables.EVO_ENTRIES, false).inserted()).isEqualTo(1);
            UUID key = entryKey("2024-05-01T07:12:05", "'3'", "'2024-05-01T07:12:05.000000'", "'1001'", "NULL",
                    "'Membership'", "'Turnstile 1'");
            assertThat(staging.one("SELECT entry_key FROM core.evo_entries")).containsEntry("entry_key", key);

            // each spelling in a run of its own, then all of them in one part
            int run = 2;
            for (String spelling : SPELLINGS) {
                bronze.load("entries", "2026010" + run++ + "T060000Z-e", spelling);
                TransformResult r = runner.run(CoreTables.EVO_ENTRIES, false);
                assertThat(r.inserted()).as(spelling).isZero();
                assertThat(r.updated()).as(spelling).isZero();
                assertThat(r.warned()).as(spelling).isZero();
            }
            bronze.load("entries", "20260201T060000Z-all", SPELLINGS.toArray(String[]::new));
            assertThat(runner.run(CoreTables.EVO_ENTRIES, false).inserted()).isZero();
            assertThat(staging.rows("SELECT entry_key, entry_date, id_member, id_branch, entry_type, device "
                    + "FROM core.evo_entries WHERE id_prospect IS NULL")).containsExactly(Map.of("entry_key", key,
                    "entry_date", java.sql.Timestamp.valueOf("2024-05-01 07:12:05"), "id_member", 1001L,
                    "id_branch", 3L, "entry_type", "Membership", "device", "Turnstile 1"));
            assertThat(staging.one("SELECT count(*) AS n FROM core.evo_entries")).containsEntry("n", 1L);

            // different entries: a second later, half a second later, a prospect with the member's number, another
            // device, the device's case
            bronze.load("entries", "20260202T060000Z-other",
                    entry("2024-05-01T07:12:06", 1001L, null, "Membership", "Turnstile 1", null),
                    entry("2024-05-01T07:12:05.5", 1001L, null, "Membership", "Turnstile 1", null),
                    entry("2024-05-01T07:12:05", null, 1001L, "Membership", "Turnstile 1", null),
                    entry("2024-05-01T07:12:05", 1001L, null, "Membership", "Turnstile 2", null),
                    entry("2024-05-01T07:12:05", 1001L, null, "Membership", "turnstile 1", null));
            assertThat(runner.run(CoreTables.EVO_ENTRIES, false).inserted()).isEqualTo(5);
            assertThat(staging.one("SELECT count(DISTINCT entry_key) AS n FROM core.evo_entries")).containsEntry("n", 6L);

            // a date with an offset names an instant, not the gym's wall clock: no key, kept invalid with its reason
            bronze.load("entries", "20260203T060000Z-offset",
                    entry("2024-05-01T07:12:05-03:00", 1001L, null, "Membership", "Turnstile 1", null));
            assertThat(runner.run(CoreTables.EVO_ENTRIES, false).inserted()).isZero();
            assertThat(staging.one("SELECT validation_status, error_message FROM stg_evo.entries_raw "
                    + "WHERE run_id = '20260203T060000Z-offset'")).containsEntry("validation_status", "invalid")
                    .containsEntry("error_message", "no entry key: idBranch missing, or date missing or not a local time at or after 1970; date not a date-time: "
                            + "2024-05-01T07:12:05-03:00");

            // a full refresh gives the same keys
            List<Map<String, Object>> keys = staging.rows("SELECT entry_key FROM core.evo_entries ORDER BY 1");
            runner.run(CoreTables.EVO_ENTRIES, true);
            assertThat(staging.rows("SELECT entry_key FROM core.evo_entries ORDER BY 1")).isEqualTo(keys);
        }
    }

    /**
     * The transform keys an entry from its columns' normalised values (ops.evo_entry_key_of); every row it keys, and
     * every row it cannot key, is the one ops.evo_entry_key, over the fields as sent, keys or cannot key.
     */
    @Test
    void theTransformKeysEveryEntryAsTheKeyFunctionDoesOverTheFieldsAsSent() {
        try (Database db = TestPostgres.newDatabase()) {
            Staging staging = new Staging(db);
            EvoBronze bronze = new EvoBronze(db, folder);
            List<String> odd = new ArrayList<>(SPELLINGS);
            odd.addAll(List.of(
                    entry(" 2024-05-01T07:12:05 ", 1001L, null, "Membership", "Turnstile 1", null),
                    entry("2024-05-01T07:12:05.123456", 1001L, null, "Membership", "Turnstile 1", null),
                    entry("2024-05-01", 1001L, null, "Membership", "Turnstile 1", null),
                    entry("2024-05-01 BC", 1001L, null, "Membership", "Turnstile 1", null),
                    entry("1969-12-31T23:59:59", 1001L, null, "Membership", "Turnstile 1", null),
                    entry("1970-01-01T00:00:00", 1001L, null, "Membership", "Turnstile 1", null),
                    entry("", 1001L, null, "Membership", "Turnstile 1", null),
                    entry("not a date", 1001L, null, "Membership", "Turnstile 1", null),
                    entry("2024-05-01T07:12:05Z", 1001L, null, "Membership", "Turnstile 1", null),
                    entry("2024-05-01T07:12:05", "\"5.5\"", null, "Membership", "Turnstile 1", null),
                    entry("2024-05-01T07:12:05", "\" 007 \"", null, "Membership", "Turnstile 1", null),
                    entry("2024-05-01T07:12:05", "\"x1\"", "\"\"", "", " ", null),
                    entry("2024-05-01T07:12:05", "99999999999999999999", "1e3", "Membership", "Turnstile 1", null),
                    entry("2024-05-01T07:12:05", 1001L, null, "Membership", "Turnstile 1", null)
                            .replace("\"idBranch\": 3", "\"idBranch\": \" 3.0 \""),
                    entry("2024-05-01T07:12:05", 1001L, null, "Membership", "Turnstile 1", null)
                            .replace("\"idBranch\": 3", "\"idBranch\": \"three\""),
                    entry("2024-05-01T07:12:05", 1001L, null, "Membership", "Turnstile 1", null)
                            .replace("\"idBranch\": 3, ", "")));
            int run = 1;
            for (String e : odd) {
                bronze.load("entries", String.format("20260101T0600%02dZ-k", run++), e);
            }
            new TransformRunner(db).run(CoreTables.EVO_ENTRIES, false);
            assertThat(staging.one("SELECT count(*) AS n, count(*) FILTER (WHERE " + BY_FUNCTION + " IS NULL) AS unkeyed, "
                    + "count(*) FILTER (WHERE s.validation_status = 'invalid') AS invalid FROM stg_evo.entries_raw s"))
                    .containsEntry("n", (long) odd.size()).containsEntry("unkeyed", 5L).containsEntry("invalid", 5L);
            assertKeyedAsTheFunctionKeysThem(staging);
        }
    }

    /** More spellings: every row keyed (or not) as ops.evo_entry_key keys it over the fields as sent. */
    @Test
    void moreSpellingsAreKeyedAsTheKeyFunctionKeysThem() {
        try (Database db = TestPostgres.newDatabase()) {
            Staging staging = new Staging(db);
            EvoBronze bronze = new EvoBronze(db, folder);
            String b = entry("2024-05-01T07:12:05", 1001L, null, "Membership", "Turnstile 1", null);
            List<String> odd = List.of(
                    entry("2024-05-01T07:12:05.1234567", 1001L, null, "Membership", "Turnstile 1", null),
                    entry("2024-05-01T07:12:05.000000", 1001L, null, "Membership", "Turnstile 1", null),
                    entry("2024-05-01T07:12:05 UTC", 1001L, null, "Membership", "Turnstile 1", null),
                    entry("2024-05-01t07:12:05", 1001L, null, "Membership", "Turnstile 1", null),
                    entry("2024-05-01T07:12", 1001L, null, "Membership", "Turnstile 1", null),
                    entry("2024-05-01T24:00:00", 1001L, null, "Membership", "Turnstile 1", null),
                    entry("2024-02-30T07:12:05", 1001L, null, "Membership", "Turnstile 1", null),
                    entry("10000-01-01T00:00:00", 1001L, null, "Membership", "Turnstile 1", null),
                    entry("0001-01-01T00:00:00 BC", 1001L, null, "Membership", "Turnstile 1", null),
                    entry("2024-05-01T07:12:05+03", 1001L, null, "Membership", "Turnstile 1", null),
                    entry("2024-05-01T07:12:05z", 1001L, null, "Membership", "Turnstile 1", null),
                    entry("\u00a02024-05-01T07:12:05", 1001L, null, "Membership", "Turnstile 1", null),
                    entry("2024-05-01T07:12:05", "-5", "\"-5.0\"", "Membership", "Turnstile 1", null),
                    entry("2024-05-01T07:12:05", "5e0", "\"1e3\"", "Membership", "Turnstile 1", null),
                    entry("2024-05-01T07:12:05", "0", "\"\"", "Membership", "Turnstile 1", null),
                    entry("2024-05-01T07:12:05", "\"12345678901234567890123\"", null, "Membership", "Turnstile 1", null),
                    entry("2024-05-01T07:12:05", "true", "[1]", "Membership", "Turnstile 1", null),
                    entry("2024-05-01T07:12:05", 1001L, null, "Catraca S\u00e3o Paulo", "\u00a0Recep\u00e7\u00e3o ", null),
                    entry("2024-05-01T07:12:05", 1001L, null, "\\t", "\\n", null),
                    b.replace("\"entryType\": \"Membership\"", "\"entryType\": null"),
                    b.replace("\"entryType\": \"Membership\", ", ""),
                    b.replace("\"device\": \"Turnstile 1\"", "\"device\": 7"),
                    b.replace("\"idBranch\": 3", "\"idBranch\": 3e0"),
                    b.replace("\"idBranch\": 3", "\"idBranch\": -3"),
                    b.replace("\"idBranch\": 3", "\"idBranch\": \"\""),
                    b.replace("\"idBranch\": 3", "\"idBranch\": null"),
                    b.replace("\"date\": \"2024-05-01T07:12:05\"", "\"date\": 20240501"),
                    b.replace("\"date\": \"2024-05-01T07:12:05\"", "\"date\": null"),
                    b.replace("\"date\": \"2024-05-01T07:12:05\"", "\"date\": {\"v\": 1}"));
            int run = 1;
            for (String e : odd) {
                bronze.load("entries", String.format("20260101T0700%02dZ-m", run++), e);
            }
            new TransformRunner(db).run(CoreTables.EVO_ENTRIES, false);
            assertThat(staging.one("SELECT count(*) AS n FROM stg_evo.entries_raw s")).containsEntry("n", (long) odd.size());
            assertKeyedAsTheFunctionKeysThem(staging);
        }
    }

    @Test
    void rowsKeyedTheOldWayAreRekeyedAndOneEntryStoredTwiceKeepsItsNewestVersion() {
        Map<String, String> s = TestPostgres.newEmptyDatabaseSettings();
        try (Database db = Database.external(s.get("SKYFIT_PG_URL"), s.get("SKYFIT_PG_USER"),
                Secret.of(s.get("SKYFIT_PG_PASSWORD")))) {
            Flyway.configure().dataSource(db.dataSource()).locations("classpath:sql/migrations").schemas("ops")
                    .createSchemas(true).target("60").load().migrate();
            // as V060's transform left them: the key over the text as sent, so one entry twice, and another entry
            db.execute("""
                    INSERT INTO core.evo_entries (scope, entry_key, entry_date, id_member, id_prospect, id_branch,
                                                  entry_type, device, _stg_id, _source_blob, _source_line, _run_id)
                    VALUES ('gym', '00006631-eaf5-0000-0000-000000000001', '2024-05-01 07:12:05', 1001, NULL, 3,
                            'Membership', 'Turnstile 1', 1, 'a', 1, '20260101T060000Z-a'),
                           ('gym', '00006631-eaf5-0000-0000-000000000002', '2024-05-01 07:12:05', 1001, NULL, 3,
                            'Membership', 'Turnstile 1 ', 2, 'b', 1, '20260102T060000Z-b'),
                           ('gym', '00006631-eaf6-0000-0000-000000000003', '2024-05-01 07:12:06', 1001, NULL, 3,
                            'Membership', 'Turnstile 1', 3, 'a', 2, '20260101T060000Z-a')""", ps -> {});

            Flyway.configure().dataSource(db.dataSource()).locations("classpath:sql/migrations").schemas("ops")
                    .createSchemas(true).load().migrate();

            Staging staging = new Staging(db);
            assertThat(staging.rows("SELECT entry_key::text AS k, device, _run_id FROM core.evo_entries ORDER BY 1"))
                    .containsExactly(
                            Map.of("k", keyOf("2024-05-01T07:12:05"), "device", "Turnstile 1",
                                    "_run_id", "20260102T060000Z-b"),
                            Map.of("k", keyOf("2024-05-01T07:12:06"), "device", "Turnstile 1",
                                    "_run_id", "20260101T060000Z-a"));

            // the entry read again after the migration is the row it already has
            EvoBronze bronze = new EvoBronze(db, folder);
            bronze.load("entries", "20260103T060000Z-c", BASE);
            TransformResult r = new TransformRunner(db).run(CoreTables.EVO_ENTRIES, false);
            assertThat(r.inserted()).isZero();
            assertThat(staging.one("SELECT count(*) AS n FROM core.evo_entries")).containsEntry("n", 2L);
        }
    }

    private static String keyOf(String date) {
        try {
            return entryKey(date, "'3'", "'" + date + ".000000'", "'1001'", "NULL", "'Membership'", "'Turnstile 1'")
                    .toString();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A staging row is invalid exactly when the function gives it no key, and each keyed row's newest version is in
     * core under the function's key.
     */
    private static void assertKeyedAsTheFunctionKeysThem(Staging staging) {
        assertThat(staging.rows("SELECT s.run_id, s.line_no, s.validation_status FROM stg_evo.entries_raw s WHERE "
                + "(s.validation_status = 'invalid') <> (" + BY_FUNCTION + " IS NULL)")).isEmpty();
        assertThat(staging.rows("SELECT s.run_id FROM stg_evo.entries_raw s WHERE s.validation_status <> 'invalid' "
                + "AND NOT EXISTS (SELECT 1 FROM core.evo_entries c WHERE c.entry_key = " + BY_FUNCTION + ")"))
                .isEmpty();
        assertThat(staging.rows("SELECT c.entry_key FROM core.evo_entries c WHERE NOT EXISTS (SELECT 1 FROM "
                + "stg_evo.entries_raw s WHERE s.stg_id = c._stg_id AND c.entry_key = " + BY_FUNCTION + ")"))
                .isEmpty();
    }
}
