-- Safe casts for the core transforms: a value that does not fit gives NULL instead of an error, so one
-- bad field never fails a whole table (invariant 3); the transform then records it as a staging warning.
--
-- Why one-expression SQL functions and no PL/pgSQL EXCEPTION block: an exception block opens a
-- subtransaction on every call (microseconds each, millions of calls per run), while a one-expression
-- SQL function is inlined into the calling query and costs about what the bare cast costs. Every gate
-- accepts only text that the cast after it is certain to accept, so the cast itself can never raise.
--
-- PostgreSQL 16+ gates with pg_input_is_valid (the type's own parser, without raising): measured on
-- 500,000 values, try_bigint costs 0.06 s against 0.05 s for a bare ::bigint, and try_timestamptz about
-- 2x a bare ::timestamptz. PostgreSQL 15 gates with regular expressions (correct, but 5-10x slower).
-- The functions are STABLE, not IMMUTABLE, because the PostgreSQL type parsers they call are STABLE and
-- PostgreSQL only inlines a function whose body is no more volatile than its label (a mislabelled
-- IMMUTABLE wrapper runs 10x slower). They are never used in indexes, so STABLE costs nothing.
-- Text without a zone is read as UTC (the Pipedrive convention), whatever the session's TimeZone.
-- The casts apply to the result of the gate, never inside a CASE branch: PostgreSQL folds an immutable cast
-- of a constant at planning time even in a branch that is never taken, so ops.try_bigint('9999999999999999999')
-- written as CASE WHEN valid THEN v::bigint END would fail for a literal or a bound parameter.

-- Days in a month of the proleptic Gregorian calendar (used by the PostgreSQL 15 gates).
CREATE OR REPLACE FUNCTION ops.days_in_month(y integer, m integer) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
    SELECT CASE WHEN m = 2
                THEN 28 + (y % 4 = 0 AND (y % 100 <> 0 OR y % 400 = 0))::integer
                ELSE 30 + (m + m / 8) % 2
           END
$fn$;

-- Booleans as JSON true/false or the usual spellings; 1/0 because some APIs send flags as numbers.
-- JSON's own spellings are tested first: they are nearly all the traffic and skip lower(btrim(..)).
CREATE OR REPLACE FUNCTION ops.try_boolean(v text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
    SELECT CASE v
        WHEN 'true' THEN true
        WHEN 'false' THEN false
        ELSE CASE lower(btrim(v))
            WHEN 'true' THEN true WHEN 't' THEN true WHEN '1' THEN true WHEN 'yes' THEN true WHEN 'y' THEN true
            WHEN 'false' THEN false WHEN 'f' THEN false WHEN '0' THEN false WHEN 'no' THEN false WHEN 'n' THEN false
        END
    END
$fn$;

-- The id inside a reference that an API sends either as a scalar (10) or as an object
-- ({"value": 10, "name": ".."} or {"id": 10, ..}), as text for the try_ casts.
CREATE OR REPLACE FUNCTION ops.json_ref_text(v jsonb) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
    SELECT CASE jsonb_typeof(v)
        WHEN 'object' THEN coalesce(v ->> 'value', v ->> 'id')
        WHEN 'null' THEN NULL
        ELSE v #>> '{}'
    END
$fn$;

DO $do$
BEGIN
    IF current_setting('server_version_num')::integer >= 160000 THEN
        -- int8in also reads "1_000" and "0x1F" (PostgreSQL 16+): still the integer the text means.
        EXECUTE $sql$
        CREATE OR REPLACE FUNCTION ops.try_bigint(v text) RETURNS bigint
        LANGUAGE sql STABLE PARALLEL SAFE AS $fn$
            SELECT (CASE WHEN pg_input_is_valid(v, 'bigint') THEN v END)::bigint
        $fn$;

        CREATE OR REPLACE FUNCTION ops.try_integer(v text) RETURNS integer
        LANGUAGE sql STABLE PARALLEL SAFE AS $fn$
            SELECT (CASE WHEN pg_input_is_valid(v, 'integer') THEN v END)::integer
        $fn$;

        -- NaN and Infinity parse as numeric but are no amount of money: anything with an "n" is out.
        CREATE OR REPLACE FUNCTION ops.try_numeric(v text) RETURNS numeric
        LANGUAGE sql STABLE PARALLEL SAFE AS $fn$
            SELECT (CASE WHEN strpos(v, 'n') = 0 AND strpos(v, 'N') = 0 AND pg_input_is_valid(v, 'numeric') THEN v END)::numeric
        $fn$;

        -- The LIKE gate keeps out words the date parser knows ("today", "epoch", "infinity").
        -- A time part after the date ("2024-01-15T10:00:00") is ignored.
        CREATE OR REPLACE FUNCTION ops.try_date(v text) RETURNS date
        LANGUAGE sql STABLE PARALLEL SAFE AS $fn$
            SELECT CASE WHEN v LIKE '____-__-__%' AND pg_input_is_valid(left(v, 10), 'date')
                        THEN left(v, 10)::date END
        $fn$;

        -- Local date-times without a zone ("2024-01-15T10:00:00", "2023-02-22 08:27:53.123"). Text with a
        -- zone is no local time (the timestamp parser would silently drop the zone), so it is NULL.
        -- The zone test uses LIKE only: after the 10-character date, only an offset holds "+" or "-".
        -- (right(v, 1) and regular expressions cost several times more per call.)
        CREATE OR REPLACE FUNCTION ops.try_timestamp(v text) RETURNS timestamp
        LANGUAGE sql STABLE PARALLEL SAFE AS $fn$
            SELECT CASE WHEN v LIKE '____-__-__%' AND v NOT LIKE '%+%' AND v NOT LIKE '__________%-%'
                             AND v NOT LIKE '%Z' AND v NOT LIKE '%z'
                             AND pg_input_is_valid(v, 'timestamp')
                        THEN v::timestamp END
        $fn$;

        -- Instants. With a zone ("Z", "+03:00", "-0300") the text says which instant it is; without one
        -- it is UTC.
        CREATE OR REPLACE FUNCTION ops.try_timestamptz(v text) RETURNS timestamptz
        LANGUAGE sql STABLE PARALLEL SAFE AS $fn$
            SELECT CASE
                WHEN v NOT LIKE '____-__-__%' THEN NULL
                WHEN v LIKE '%+%' OR v LIKE '__________%-%' OR v LIKE '%Z' OR v LIKE '%z' THEN
                    CASE WHEN pg_input_is_valid(v, 'timestamptz') THEN v::timestamptz END
                WHEN pg_input_is_valid(v, 'timestamp') THEN timezone('UTC', v::timestamp)
            END
        $fn$;
        $sql$;
    ELSE
        -- PostgreSQL 15: regular-expression gates that admit only what the casts after them accept.
        EXECUTE $sql$
        CREATE OR REPLACE FUNCTION ops.try_bigint(v text) RETURNS bigint
        LANGUAGE sql STABLE PARALLEL SAFE AS $fn$
            SELECT CASE
                WHEN v ~ '^\s*[+-]?\d{1,18}\s*$' THEN v::bigint
                WHEN v ~ '^\s*[+-]?\d{19}\s*$'
                     AND ltrim(btrim(v), '+-') COLLATE "C" <= '9223372036854775807' THEN v::bigint
            END
        $fn$;

        CREATE OR REPLACE FUNCTION ops.try_integer(v text) RETURNS integer
        LANGUAGE sql STABLE PARALLEL SAFE AS $fn$
            SELECT CASE WHEN v ~ '^\s*[+-]?\d{1,9}\s*$' THEN v::integer END
        $fn$;

        CREATE OR REPLACE FUNCTION ops.try_numeric(v text) RETURNS numeric
        LANGUAGE sql STABLE PARALLEL SAFE AS $fn$
            SELECT CASE
                WHEN length(v) <= 200 AND v ~ '^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d{1,3})?\s*$' THEN v::numeric
            END
        $fn$;

        CREATE OR REPLACE FUNCTION ops.try_date(v text) RETURNS date
        LANGUAGE sql STABLE PARALLEL SAFE AS $fn$
            SELECT CASE
                WHEN v ~ '^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])([ T].*)?$'
                     AND substr(v, 1, 4) <> '0000'
                     AND substr(v, 9, 2)::integer <= ops.days_in_month(substr(v, 1, 4)::integer, substr(v, 6, 2)::integer)
                THEN make_date(substr(v, 1, 4)::integer, substr(v, 6, 2)::integer, substr(v, 9, 2)::integer)
            END
        $fn$;

        -- Fixed positions are safe because the pattern pins every field to two digits.
        CREATE OR REPLACE FUNCTION ops.try_timestamp(v text) RETURNS timestamp
        LANGUAGE sql STABLE PARALLEL SAFE AS $fn$
            SELECT CASE
                WHEN v ~ '^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])([ T]([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,9})?)?)?$'
                     AND substr(v, 1, 4) <> '0000'
                     AND substr(v, 9, 2)::integer <= ops.days_in_month(substr(v, 1, 4)::integer, substr(v, 6, 2)::integer)
                THEN make_timestamp(substr(v, 1, 4)::integer, substr(v, 6, 2)::integer, substr(v, 9, 2)::integer,
                                    coalesce(nullif(substr(v, 12, 2), ''), '0')::integer,
                                    coalesce(nullif(substr(v, 15, 2), ''), '0')::integer,
                                    coalesce(nullif(substr(v, 18), ''), '0')::double precision)
            END
        $fn$;

        -- The local part goes through try_timestamp; the offset is subtracted on the zone-less value.
        CREATE OR REPLACE FUNCTION ops.try_timestamptz(v text) RETURNS timestamptz
        LANGUAGE sql STABLE PARALLEL SAFE AS $fn$
            SELECT timezone('UTC',
                CASE
                    WHEN right(v, 1) IN ('Z', 'z') THEN ops.try_timestamp(left(v, -1))
                    WHEN v ~ '[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?[+-]([01]\d|2[0-3])(:?[0-5]\d)?$' THEN
                        ops.try_timestamp(substring(v FROM '^(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)'))
                        - make_interval(hours => substring(v FROM '([+-]\d{2}):?(\d{2})?$')::integer,
                                        mins => (substring(v FROM '([+-])\d{2}:?(\d{2})?$')
                                                 || coalesce(substring(v FROM '[+-]\d{2}:?(\d{2})$'), '0'))::integer)
                    ELSE ops.try_timestamp(v)
                END)
        $fn$;
        $sql$;
    END IF;
END
$do$;

-- A JSON value as a number for sums over arrays: NULL when absent or JSON null, the number when it is one
-- (or a string that reads as one), and NaN when it is present but no number. NaN makes a whole sum NaN, so
-- one pass over the items yields both the total and whether any item was bad (no second pass for warnings).
-- JSON numbers go straight from jsonb to numeric without the round trip through text.
CREATE OR REPLACE FUNCTION ops.json_numeric_or_nan(v jsonb) RETURNS numeric
LANGUAGE sql STABLE PARALLEL SAFE AS $fn$
    SELECT CASE jsonb_typeof(v)
        WHEN 'number' THEN v::numeric
        WHEN 'string' THEN coalesce(ops.try_numeric(v #>> '{}'), 'NaN')
        WHEN 'boolean' THEN 'NaN' WHEN 'object' THEN 'NaN' WHEN 'array' THEN 'NaN'
    END
$fn$;
