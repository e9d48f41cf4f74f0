package com.skyfit.lake.core;

import static com.skyfit.lake.core.Column.derived;
import static com.skyfit.lake.core.Column.of;
import static com.skyfit.lake.core.ColumnType.BIGINT;
import static com.skyfit.lake.core.ColumnType.BOOLEAN;
import static com.skyfit.lake.core.ColumnType.JSONB;
import static com.skyfit.lake.core.ColumnType.TEXT;
import static com.skyfit.lake.core.ColumnType.TEXT_ARRAY;
import static com.skyfit.lake.core.ColumnType.TIMESTAMPTZ;

/**
 * The Chatwoot core tables. A staging row is one row of the analytics view, its columns as JSON keys; the view's
 * names (conversation_id, conversation_created_at, ..) and the table's own (id, created_at, ..) are both read.
 */
final class ChatwootTables {
    private ChatwootTables() {}

    static final CoreTable CONVERSATIONS = CoreTable.declare("chatwoot", "conversations", "chatwoot_conversations")
            .describe("status and priority arrive as Chatwoot's integer codes (or already as words) and are stored as\n"
                    + "words; a code Chatwoot does not define is kept as sent. A new message moves only\n"
                    + "last_activity_at, so versions are ordered by source_changed_at, the later of the two times.\n"
                    + "Hard deletes are decided by chatwoot_id_listings.sql, not here: a version read from the\n"
                    + "source proves the conversation exists, so writing it clears any deleted mark.")
            .key(of("id", BIGINT, "conversation_id", "id"))
            .columns(of("account_id", BIGINT, "account_id"), of("inbox_id", BIGINT, "inbox_id"),
                    of("display_id", BIGINT, "display_id"), Column.text("uuid", "uuid"),
                    code("status", "open", "resolved", "pending", "snoozed"),
                    code("priority", "low", "medium", "high", "urgent"),
                    of("assignee_id", BIGINT, "assignee_id"), of("team_id", BIGINT, "team_id"),
                    of("contact_id", BIGINT, "contact_id"),
                    of("created_at", TIMESTAMPTZ, "conversation_created_at", "created_at"),
                    of("updated_at", TIMESTAMPTZ, "conversation_updated_at", "updated_at"),
                    of("last_activity_at", TIMESTAMPTZ, "last_activity_at"),
                    of("waiting_since", TIMESTAMPTZ, "waiting_since"),
                    of("first_reply_created_at", TIMESTAMPTZ, "first_reply_created_at"),
                    derived("source_changed_at", TIMESTAMPTZ, "greatest(updated_at, last_activity_at)"),
                    object("additional_attributes"), object("custom_attributes"),
                    Column.sql("labels", TEXT_ARRAY, "cached_label_list", """
                            ARRAY(SELECT btrim(l) FROM unnest(string_to_array(raw ->> 'cached_label_list', ',')) l
                                  WHERE btrim(l) <> '' ORDER BY 1)""").orElse("'{}'"),
                    derived("is_deleted", BOOLEAN, "false").orElse("false"),
                    derived("deleted_at", TIMESTAMPTZ, "NULL::timestamptz"),
                    derived("deleted_run_id", TEXT, "NULL::text"))
            .versionBy("source_changed_at").build();

    /**
     * Each run's complete id listing, and the conversations it no longer holds marked deleted. A set difference
     * against the whole table, gated on the listing being complete in staging: not a per-record upsert, so not
     * a declaration.
     */
    static final CoreTable ID_LISTINGS = CoreTable.handWritten("chatwoot", "conversation_ids", "chatwoot_id_listings",
            "Complete id listings of the source; marks conversations it no longer holds as deleted.");

    /** Chatwoot's integer code (0, 1, ..) as its word; a word passes as sent, and so does an unknown code. */
    private static Column code(String name, String... words) {
        StringBuilder sql = new StringBuilder("CASE nullif(raw ->> '" + name + "', '')");
        for (int i = 0; i < words.length; i++) {
            sql.append(" WHEN '").append(i).append("' THEN '").append(words[i]).append("'");
        }
        return Column.sql(name, TEXT, name, sql.append(" ELSE nullif(raw ->> '").append(name).append("', '') END")
                .toString());
    }

    /** A JSON object as sent; anything else (absent, null, a string) is NULL. */
    private static Column object(String name) {
        return Column.sql(name, JSONB, name,
                "CASE jsonb_typeof(raw -> '" + name + "') WHEN 'object' THEN raw -> '" + name + "' END");
    }
}
