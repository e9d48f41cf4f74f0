-- EVO entries keyed by their normalised values, not by the text as sent.
--
-- V060 hashed each identifying field's JSON text, so one entry sent as "07:12:05" and as "07:12:05.000", with
-- idMember 5 and 5.0, or with device "Turnstile 1 " got two keys and became two rows. The key now hashes typed,
-- normalised values: the date as a timestamp written to the microsecond, ids as numbers without trailing zeros
-- (5, 5.0 and "5" agree), texts trimmed (case kept), and NULL for a field that is null, empty or absent (quoted
-- values never read as NULL). The prefix stays the entry's second since 1970, from the normalised timestamp, so
-- a day's keys stay together in the primary key index.
--
-- A date with an offset ("2024-05-01T07:12:05-03:00", "...Z") has no key: EVO sends the gym's wall clock without
-- offset, and an offset would need the gym's zone to turn into one; such an entry stays in staging as invalid,
-- with its reason, rather than be keyed by a guess.
--
-- These functions are defined here because the recomputation below needs them before the repeatable
-- migrations run; a later change to them goes into a new migration. Their bodies call ops.try_* of
-- R__cast_functions.sql, which on a new database exists only after this file: hence no body check here.
SET LOCAL check_function_bodies = off;

-- An id as text: a number without trailing zeros ("5.0" -> "5", " 007 " -> "7"); any other text trimmed, empty
-- is NULL. ops.try_bigint of the result reads 5.0 as 5 and still refuses 5.5 and words. A plain integer, nearly
-- every id, takes the bigint path: numeric parsing and printing cost several times more.
CREATE OR REPLACE FUNCTION ops.integral_text(v text) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $fn$
    SELECT coalesce(ops.try_bigint(v)::text, trim_scale(ops.try_numeric(btrim(v)))::text, nullif(btrim(v), ''))
$fn$;

-- The key of an entry, from its fields as text (JSON text or a typed column's text): NULL without a branch or a
-- date readable as local time at or after 1970 (|| makes any NULL part the whole key NULL, a value is quoted,
-- so concat_ws('|', quote_nullable(..), ..) of the same parts gives the same text). One expression, so PostgreSQL
-- inlines it into the transform; the date is parsed twice, not three times (a text before '1970' is out).
CREATE OR REPLACE FUNCTION ops.evo_entry_key(p_branch text, p_date text, p_member text, p_prospect text,
                                             p_entry_type text, p_device text) RETURNS uuid
LANGUAGE sql STABLE PARALLEL SAFE AS $fn$
    SELECT CASE WHEN btrim(p_date) COLLATE "C" >= '1970' THEN
               (lpad(to_hex(extract(epoch FROM ops.try_timestamp(btrim(p_date)))::bigint), 12, '0')
                || left(md5(quote_literal(ops.integral_text(p_branch))
                            || '|' || quote_literal(to_char(ops.try_timestamp(btrim(p_date)), 'YYYY-MM-DD"T"HH24:MI:SS.US'))
                            || '|' || quote_nullable(ops.integral_text(p_member))
                            || '|' || quote_nullable(ops.integral_text(p_prospect))
                            || '|' || quote_nullable(nullif(btrim(p_entry_type), ''))
                            || '|' || quote_nullable(nullif(btrim(p_device), ''))), 20))::uuid
           END
$fn$;

-- Rows keyed the old way get their new key; entries that were one entry sent in two spellings keep the version
-- read last and lose the other. Planned only when there are rows: on a new database the ops.try_* functions do
-- not exist yet (and there is nothing to rekey).
DO $do$
BEGIN
    IF EXISTS (SELECT 1 FROM core.evo_entries) THEN
        EXECUTE $sql$
            DELETE FROM core.evo_entries e
            USING (SELECT ctid, row_number() OVER (
                              PARTITION BY scope, ops.evo_entry_key(id_branch::text, entry_date::text, id_member::text,
                                                                    id_prospect::text, entry_type, device)
                              ORDER BY _run_id COLLATE "C" DESC, _source_blob COLLATE "C" DESC, _source_line DESC) AS n
                   FROM core.evo_entries) d
            WHERE e.ctid = d.ctid AND d.n > 1
        $sql$;
        EXECUTE $sql$
            UPDATE core.evo_entries
            SET entry_key = ops.evo_entry_key(id_branch::text, entry_date::text, id_member::text, id_prospect::text,
                                              entry_type, device),
                entry_type = nullif(btrim(entry_type), ''),
                device = nullif(btrim(device), '')
        $sql$;
    END IF;
END
$do$;
