package com.skyfit.lake.source.chatwoot;

import java.util.List;

/**
 * Chatwoot read from its own PostgreSQL, not an API: a view with one row per conversation, read by the
 * greatest of its watermark columns (a new message moves last_activity_at but not updated_at), and each
 * run the full list of conversation ids, because Chatwoot deletes conversations outright.
 */
public final class ChatwootSource {
    public static final String NAME = "chatwoot";
    /** Changed rows of the view, by watermark. */
    public static final String CONVERSATIONS = "conversations";
    /** Every id the view holds, in one snapshot: what hard deletes are judged against. */
    public static final String CONVERSATION_IDS = "conversation_ids";
    public static final List<String> ENTITIES = List.of(CONVERSATIONS, CONVERSATION_IDS);

    private ChatwootSource() {}
}
