-- The ticket export sends no metric set unless asked, and sideloads it beside the tickets rather than in them:
-- these columns could only ever be empty. Metrics come back with a stream that reads them.
ALTER TABLE core.zd_tickets
    DROP COLUMN IF EXISTS solved_at,
    DROP COLUMN IF EXISTS first_reply_minutes,
    DROP COLUMN IF EXISTS full_resolution_minutes;
