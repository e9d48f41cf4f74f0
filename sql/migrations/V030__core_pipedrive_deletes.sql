-- Deletes for every Pipedrive table, and archived deals.
-- A complete read (unfiltered: whole lists every run; persons, organizations, activities and deals when they are
-- reconciled) that no longer holds a key flags its row: is_deleted = true, with the run that found it gone and when.
-- A record that comes back is live again and both columns return to NULL.
ALTER TABLE core.pd_deals
    ADD COLUMN is_archived    boolean NOT NULL DEFAULT false,   -- from /api/v2/deals/archived
    ADD COLUMN archive_time   timestamptz,
    ADD COLUMN deleted_by_run text,
    ADD COLUMN deleted_at     timestamptz;
ALTER TABLE core.pd_persons ADD COLUMN deleted_by_run text, ADD COLUMN deleted_at timestamptz;
ALTER TABLE core.pd_organizations ADD COLUMN deleted_by_run text, ADD COLUMN deleted_at timestamptz;
ALTER TABLE core.pd_activities ADD COLUMN deleted_by_run text, ADD COLUMN deleted_at timestamptz;
ALTER TABLE core.pd_pipelines ADD COLUMN deleted_by_run text, ADD COLUMN deleted_at timestamptz;
ALTER TABLE core.pd_stages ADD COLUMN deleted_by_run text, ADD COLUMN deleted_at timestamptz;
-- Users were never deleted, only deactivated; a user the whole list no longer has is deleted now.
ALTER TABLE core.pd_users
    ADD COLUMN is_deleted     boolean NOT NULL DEFAULT false,
    ADD COLUMN deleted_by_run text,
    ADD COLUMN deleted_at     timestamptz;
