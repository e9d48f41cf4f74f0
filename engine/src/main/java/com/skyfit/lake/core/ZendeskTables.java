package com.skyfit.lake.core;

import static com.skyfit.lake.core.Column.derived;
import static com.skyfit.lake.core.Column.of;
import static com.skyfit.lake.core.Column.text;
import static com.skyfit.lake.core.ColumnType.BIGINT;
import static com.skyfit.lake.core.ColumnType.BOOLEAN;
import static com.skyfit.lake.core.ColumnType.INTEGER;
import static com.skyfit.lake.core.ColumnType.JSONB;
import static com.skyfit.lake.core.ColumnType.TIMESTAMPTZ;

import java.util.List;

/**
 * The Zendesk Support core tables. A ticket's custom fields ([{"id": 360002833076, "value": "x"}]) become rows of
 * zd_ticket_custom_fields, so BI pivots them by field without parsing JSON (core.vw_zd_ticket_custom_fields joins
 * the field titles). Deleted tickets come from the export with status "deleted" and stay as flagged rows.
 */
final class ZendeskTables {
    private ZendeskTables() {}

    private static final Column ID = of("id", BIGINT, "id");
    private static final Column CREATED_AT = of("created_at", TIMESTAMPTZ, "created_at");
    private static final Column UPDATED_AT = of("updated_at", TIMESTAMPTZ, "updated_at");

    private static CoreTable.Builder table(String entity) {
        return CoreTable.declare("zendesk", entity, "zd_" + entity).key(ID).versionBy("updated_at");
    }

    /** A JSON array kept as sent (tags, domain names, ids); anything else reads as absent. */
    private static Column array(String name, String path) {
        return Column.sql(name, JSONB, path, "CASE jsonb_typeof(raw -> '" + path + "') WHEN 'array' THEN raw -> '"
                + path + "' END");
    }

    static final CoreTable TICKETS = table("tickets")
            .describe("status is new / open / pending / hold / solved / closed, or deleted for a deleted ticket.")
            .columns(text("subject", "subject"), text("status", "status"), text("priority", "priority"),
                    text("type", "type"), text("channel", "via.channel"), of("requester_id", BIGINT, "requester_id"),
                    of("submitter_id", BIGINT, "submitter_id"), of("assignee_id", BIGINT, "assignee_id"),
                    of("group_id", BIGINT, "group_id"), of("organization_id", BIGINT, "organization_id"),
                    of("brand_id", BIGINT, "brand_id"), of("ticket_form_id", BIGINT, "ticket_form_id"),
                    of("problem_id", BIGINT, "problem_id"), text("external_id", "external_id"),
                    array("tags", "tags"), text("satisfaction_score", "satisfaction_rating.score"),
                    CREATED_AT, UPDATED_AT, of("due_at", TIMESTAMPTZ, "due_at"),
                    of("generated_timestamp", BIGINT, "generated_timestamp"),
                    derived("is_deleted", BOOLEAN, "status = 'deleted'").orElse("false"))
            .child(new ChildTable("zd_ticket_custom_fields", "custom_fields",
                    List.of(of("field_id", BIGINT, "id")),
                    List.of(Column.sql("value", ColumnType.TEXT, "value", "CASE jsonb_typeof(raw -> 'value') "
                                    + "WHEN 'array' THEN (raw -> 'value')::text ELSE raw ->> 'value' END"),
                            Column.sql("value_json", JSONB, "value", "raw -> 'value'"))))
            .deletedWhen("is_deleted").build();

    static final CoreTable USERS = table("users")
            .describe("A deleted user comes back inactive (active false): that is the delete flag.")
            .columns(text("name", "name"), text("email", "email"), text("role", "role"),
                    of("organization_id", BIGINT, "organization_id"), of("default_group_id", BIGINT, "default_group_id"),
                    of("custom_role_id", BIGINT, "custom_role_id"), text("time_zone", "time_zone"),
                    text("locale", "locale"), text("external_id", "external_id"), array("tags", "tags"),
                    of("active", BOOLEAN, "active"), of("suspended", BOOLEAN, "suspended"),
                    of("verified", BOOLEAN, "verified"), of("last_login_at", TIMESTAMPTZ, "last_login_at"),
                    CREATED_AT, UPDATED_AT, derived("is_deleted", BOOLEAN, "NOT coalesce(active, true)"))
            .deletedWhen("is_deleted").build();

    static final CoreTable ORGANIZATIONS = table("organizations")
            .describe("Read by the time-based export (pages overlap by one second, deduplicated when read).\n"
                    + "A deleted organization carries deleted_at.")
            .columns(text("name", "name"), of("group_id", BIGINT, "group_id"), text("external_id", "external_id"),
                    array("domain_names", "domain_names"), array("tags", "tags"), text("details", "details"),
                    text("notes", "notes"), of("shared_tickets", BOOLEAN, "shared_tickets"),
                    of("shared_comments", BOOLEAN, "shared_comments"), CREATED_AT, UPDATED_AT,
                    of("deleted_at", TIMESTAMPTZ, "deleted_at"), derived("is_deleted", BOOLEAN, "deleted_at IS NOT NULL"))
            .deletedWhen("is_deleted").build();

    static final CoreTable GROUPS = table("groups")
            .describe("The whole list every run; a deleted group comes with deleted true.")
            .columns(text("name", "name"), text("description", "description"), of("is_public", BOOLEAN, "is_public"),
                    of("is_default", BOOLEAN, "default"), of("deleted", BOOLEAN, "deleted").inputOnly(), CREATED_AT,
                    UPDATED_AT, derived("is_deleted", BOOLEAN, "coalesce(deleted, false)"))
            .deletedWhen("is_deleted").build();

    static final CoreTable TICKET_FIELDS = table("ticket_fields")
            .describe("System and custom fields; a custom field's id is the field_id of zd_ticket_custom_fields.")
            .columns(text("type", "type"), text("title", "title"), text("raw_title", "raw_title"),
                    text("description", "description"), of("position", INTEGER, "position"),
                    of("active", BOOLEAN, "active"), of("required", BOOLEAN, "required"),
                    of("removable", BOOLEAN, "removable"), text("tag", "tag"), text("field_key", "key"),
                    array("custom_field_options", "custom_field_options"), CREATED_AT, UPDATED_AT)
            .build();

    static final CoreTable TICKET_FORMS = table("ticket_forms")
            .describe("ticket_field_ids lists the form's fields in their order.")
            .columns(text("name", "name"), text("display_name", "display_name"), of("position", INTEGER, "position"),
                    of("active", BOOLEAN, "active"), of("is_default", BOOLEAN, "default"),
                    of("end_user_visible", BOOLEAN, "end_user_visible"), array("ticket_field_ids", "ticket_field_ids"),
                    CREATED_AT, UPDATED_AT)
            .build();
}
