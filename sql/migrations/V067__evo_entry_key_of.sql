-- ops.evo_entry_key over values already normalised, for the entries transform.
--
-- The transform reads each identifying field once for its columns (ops.integral_text of each id, the date trimmed
-- and read by ops.try_timestamp, the texts trimmed), and ops.evo_entry_key normalised the same raw texts again
-- inside the key: every id read twice more, the date parsed twice more, and each field extracted from the
-- document over and over in the inlined expression. Keying from the columns' values makes the key cost its hash
-- and formatting only.
--
-- Same key as ops.evo_entry_key(p_branch, p_date, p_member, p_prospect, p_entry_type, p_device) when
--   p_branch_id  = ops.integral_text(p_branch),      p_date_text = nullif(btrim(p_date), ''),
--   p_date       = ops.try_timestamp(p_date_text),   p_member_id = ops.integral_text(p_member),
--   p_prospect_id = ops.integral_text(p_prospect),   p_entry_type = nullif(btrim(p_entry_type), ''),
--   p_device     = nullif(btrim(p_device), '')
-- The test of the text against '1970' stays a test of the text: a date the parser reads before 1970 from a text
-- after it ("2024-05-01 BC") keeps the key ops.evo_entry_key gives it. One expression over its arguments, STABLE
-- as to_char is, so PostgreSQL inlines it; each argument is a column of the transform's level below.
CREATE OR REPLACE FUNCTION ops.evo_entry_key_of(p_branch_id text, p_date_text text, p_date timestamp,
                                                p_member_id text, p_prospect_id text, p_entry_type text,
                                                p_device text) RETURNS uuid
LANGUAGE sql STABLE PARALLEL SAFE AS $fn$
    SELECT CASE WHEN p_date_text COLLATE "C" >= '1970' THEN
               (lpad(to_hex(extract(epoch FROM p_date)::bigint), 12, '0')
                || left(md5(quote_literal(p_branch_id)
                            || '|' || quote_literal(to_char(p_date, 'YYYY-MM-DD"T"HH24:MI:SS.US'))
                            || '|' || quote_nullable(p_member_id)
                            || '|' || quote_nullable(p_prospect_id)
                            || '|' || quote_nullable(p_entry_type)
                            || '|' || quote_nullable(p_device)), 20))::uuid
           END
$fn$;
