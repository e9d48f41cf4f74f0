package com.skyfit.lake.core;

import static com.skyfit.lake.core.Column.derived;
import static com.skyfit.lake.core.Column.of;
import static com.skyfit.lake.core.Column.ref;
import static com.skyfit.lake.core.Column.text;
import static com.skyfit.lake.core.ColumnType.BIGINT;
import static com.skyfit.lake.core.ColumnType.BOOLEAN;
import static com.skyfit.lake.core.ColumnType.DATE;
import static com.skyfit.lake.core.ColumnType.INTEGER;
import static com.skyfit.lake.core.ColumnType.JSONB;
import static com.skyfit.lake.core.ColumnType.NUMERIC;
import static com.skyfit.lake.core.ColumnType.TIMESTAMPTZ;

/**
 * The Pipedrive core tables. Every column reads both API versions (v1 first where they differ in name only the
 * paths list says so); v1 sends "" for an unset value, which reads as absent, not as a cast failure.
 */
final class PipedriveTables {
    private PipedriveTables() {}

    private static final Column ID = of("id", BIGINT, "id");
    private static final Column ADD_TIME = of("add_time", TIMESTAMPTZ, "add_time");
    private static final Column UPDATE_TIME = of("update_time", TIMESTAMPTZ, "update_time");
    private static final Column IS_DELETED_FLAG = of("is_deleted_flag", BOOLEAN, "is_deleted").inputOnly();
    private static final Column ACTIVE_FLAG = of("active_flag", BOOLEAN, "active_flag").inputOnly();
    /** v2 is_deleted, else v1 active_flag = false. */
    private static final Column IS_DELETED = derived("is_deleted", BOOLEAN,
            "coalesce(is_deleted_flag, NOT active_flag, false)");
    /** The account's own fields, keyed by 40-hex ids: v2 nests them in custom_fields, v1 puts them at the top. */
    private static final Column CUSTOM_FIELDS = Column.sql("custom_fields", JSONB, "custom_fields", """
            CASE jsonb_typeof(raw -> 'custom_fields') WHEN 'object' THEN raw -> 'custom_fields' ELSE '{}' END
                || coalesce((SELECT jsonb_object_agg(e.key, e.value) FROM jsonb_each(raw) e
                             WHERE length(e.key) = 40 AND ltrim(e.key, '0123456789abcdef') = ''), '{}')""");

    private static CoreTable.Builder table(String entity) {
        return CoreTable.declare("pipedrive", entity, "pd_" + entity).key(ID).versionBy("update_time");
    }

    static final CoreTable DEALS = table("deals")
            .describe("v1 user_id / deleted / top-level custom fields, v2 owner_id / is_deleted / custom_fields. Archived\n"
                    + "deals come from their own list with is_archived and archive_time; unarchived, the plain list again.")
            .columns(text("title", "title"), of("value", NUMERIC, "value"), text("currency", "currency"),
                    text("status", "status"), of("stage_id", BIGINT, "stage_id"),
                    of("pipeline_id", BIGINT, "pipeline_id"), ref("owner_id", BIGINT, "owner_id", "user_id"),
                    ref("creator_user_id", BIGINT, "creator_user_id"), ref("person_id", BIGINT, "person_id"),
                    ref("org_id", BIGINT, "org_id"), of("probability", NUMERIC, "probability"),
                    of("expected_close_date", DATE, "expected_close_date"),
                    of("stage_change_time", TIMESTAMPTZ, "stage_change_time"),
                    of("won_time", TIMESTAMPTZ, "won_time"), of("lost_time", TIMESTAMPTZ, "lost_time"),
                    of("close_time", TIMESTAMPTZ, "close_time"), text("lost_reason", "lost_reason"),
                    text("visible_to", "visible_to"), ADD_TIME, UPDATE_TIME,
                    of("deleted_flag", BOOLEAN, "is_deleted", "deleted").inputOnly(),
                    derived("is_deleted", BOOLEAN, "status = 'deleted' OR coalesce(deleted_flag, false)")
                            .orElse("false"),
                    of("is_archived", BOOLEAN, "is_archived").orElse("false"),
                    of("archive_time", TIMESTAMPTZ, "archive_time"),
                    CUSTOM_FIELDS)
            .deletedWhenMissing("is_deleted").build();

    static final CoreTable PERSONS = table("persons")
            .describe("v1 email / phone / active_flag, v2 emails / phones / is_deleted. The primary address is the\n"
                    + "one flagged primary, else the first.")
            .columns(text("name", "name"), text("first_name", "first_name"), text("last_name", "last_name"),
                    ref("owner_id", BIGINT, "owner_id"), ref("org_id", BIGINT, "org_id"),
                    derived("primary_email", ColumnType.TEXT, primary("emails")),
                    derived("primary_phone", ColumnType.TEXT, primary("phones")),
                    array("emails", "email"), array("phones", "phone"), text("visible_to", "visible_to"),
                    ADD_TIME, UPDATE_TIME, IS_DELETED_FLAG, ACTIVE_FLAG, IS_DELETED, CUSTOM_FIELDS)
            .deletedWhenMissing("is_deleted").build();

    static final CoreTable ORGANIZATIONS = table("organizations")
            .describe("v1 sends the address as text with address_* fields, v2 as an object.")
            .columns(text("name", "name"), ref("owner_id", BIGINT, "owner_id"),
                    Column.sql("address", ColumnType.TEXT, "address", "CASE jsonb_typeof(raw -> 'address') "
                            + "WHEN 'object' THEN nullif(raw -> 'address' ->> 'value', '') "
                            + "ELSE nullif(raw ->> 'address', '') END"),
                    text("address_locality", "address.locality", "address_locality"),
                    text("address_country", "address.country", "address_country"),
                    text("address_postal_code", "address.postal_code", "address_postal_code"),
                    text("visible_to", "visible_to"), ADD_TIME, UPDATE_TIME, IS_DELETED_FLAG, ACTIVE_FLAG,
                    IS_DELETED, CUSTOM_FIELDS)
            .deletedWhenMissing("is_deleted").build();

    static final CoreTable ACTIVITIES = table("activities")
            .describe("v1 user_id / busy_flag / active_flag, v2 owner_id / busy / is_deleted.")
            .columns(text("subject", "subject"), text("type", "type"), of("done", BOOLEAN, "done"),
                    of("due_date", DATE, "due_date"), text("due_time", "due_time"), text("duration", "duration"),
                    ref("owner_id", BIGINT, "owner_id", "user_id"), ref("deal_id", BIGINT, "deal_id"),
                    ref("person_id", BIGINT, "person_id"), ref("org_id", BIGINT, "org_id"),
                    text("lead_id", "lead_id"), of("marked_as_done_time", TIMESTAMPTZ, "marked_as_done_time"),
                    of("busy", BOOLEAN, "busy", "busy_flag"), ADD_TIME, UPDATE_TIME, IS_DELETED_FLAG, ACTIVE_FLAG,
                    IS_DELETED)
            .deletedWhenMissing("is_deleted").build();

    static final CoreTable PIPELINES = table("pipelines")
            .describe("v1 active / deal_probability, v2 is_deleted / is_deal_probability_enabled.")
            .columns(text("name", "name"), text("url_title", "url_title"), of("order_nr", INTEGER, "order_nr"),
                    of("deal_probability", BOOLEAN, "is_deal_probability_enabled", "deal_probability")
                            .label("deal_probability"),
                    ADD_TIME, UPDATE_TIME, IS_DELETED_FLAG, of("active", BOOLEAN, "active").inputOnly(),
                    derived("is_deleted", BOOLEAN, "coalesce(is_deleted_flag, NOT active, false)"))
            .deletedWhenMissing("is_deleted").build();

    static final CoreTable STAGES = table("stages")
            .describe("v1 rotten_flag / rotten_days / active_flag, v2 is_deal_rot_enabled / days_to_rotten / is_deleted.")
            .columns(of("pipeline_id", BIGINT, "pipeline_id"), text("name", "name"),
                    of("order_nr", INTEGER, "order_nr"), of("deal_probability", INTEGER, "deal_probability"),
                    of("rotten_flag", BOOLEAN, "is_deal_rot_enabled", "rotten_flag").label("rotten_flag"),
                    of("rotten_days", INTEGER, "days_to_rotten", "rotten_days").label("rotten_days"),
                    ADD_TIME, UPDATE_TIME, IS_DELETED_FLAG, ACTIVE_FLAG, IS_DELETED)
            .deletedWhenMissing("is_deleted").build();

    static final CoreTable USERS = table("users")
            .describe("Users are deactivated (active_flag becomes is_active); a user the whole list no longer has\n"
                    + "is flagged deleted. v1 names the times created / modified.")
            .columns(text("name", "name"), text("email", "email"), text("phone", "phone"),
                    text("default_currency", "default_currency"), text("locale", "locale"),
                    text("timezone_name", "timezone_name"), of("role_id", BIGINT, "role_id"),
                    of("is_admin", BOOLEAN, "is_admin"), of("is_active", BOOLEAN, "active_flag"),
                    of("last_login", TIMESTAMPTZ, "last_login"), of("add_time", TIMESTAMPTZ, "created"),
                    of("update_time", TIMESTAMPTZ, "modified"),
                    derived("is_deleted", BOOLEAN, "false"))
            .deletedWhenMissing("is_deleted").build();

    /** Every address as sent ([{value, label, primary}]); v1 names the list in the singular. */
    private static Column array(String name, String v1Name) {
        String read = "coalesce(raw -> '" + name + "', raw -> '" + v1Name + "')";
        return Column.sql(name, JSONB, name, "CASE jsonb_typeof(" + read + ") WHEN 'array' THEN " + read + " END");
    }

    private static String primary(String list) {
        return "SELECT nullif(e ->> 'value', '') FROM jsonb_array_elements(" + list + ") e\n"
                + " ORDER BY ops.try_boolean(e ->> 'primary') IS TRUE DESC LIMIT 1";
    }
}
