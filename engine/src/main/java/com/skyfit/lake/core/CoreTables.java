package com.skyfit.lake.core;

import java.util.List;
import java.util.Optional;

/** The catalog of core tables. Adding one is a line here, a migration and a file under sql/transforms. */
public final class CoreTables {

    public static final CoreTable PD_DEALS = pipedrive("deals");
    public static final CoreTable PD_PERSONS = pipedrive("persons");
    public static final CoreTable PD_ORGANIZATIONS = pipedrive("organizations");
    public static final CoreTable PD_ACTIVITIES = pipedrive("activities");
    public static final CoreTable PD_PIPELINES = pipedrive("pipelines");
    public static final CoreTable PD_STAGES = pipedrive("stages");
    public static final CoreTable PD_USERS = pipedrive("users");
    public static final CoreTable EVO_SALES = new CoreTable("evo_sales", "evo", "sales", "stg_evo.sales_raw",
            "sql/transforms/evo/evo_sales.sql");
    public static final CoreTable CHATWOOT_CONVERSATIONS = new CoreTable("chatwoot_conversations", "chatwoot",
            "conversations", "stg_chatwoot.conversations_raw", "sql/transforms/chatwoot/chatwoot_conversations.sql");
    /** Each run's complete id listing; its transform marks the conversations it no longer holds as deleted. */
    public static final CoreTable CHATWOOT_ID_LISTINGS = new CoreTable("chatwoot_id_listings", "chatwoot",
            "conversation_ids", "stg_chatwoot.conversation_ids_raw", "sql/transforms/chatwoot/chatwoot_id_listings.sql");

    private static final List<CoreTable> ALL = List.of(PD_DEALS, PD_PERSONS, PD_ORGANIZATIONS, PD_ACTIVITIES,
            PD_PIPELINES, PD_STAGES, PD_USERS, EVO_SALES,
            // listings after conversations: a batch's deletes are judged against the rows it just wrote
            CHATWOOT_CONVERSATIONS, CHATWOOT_ID_LISTINGS);

    private CoreTables() {}

    private static CoreTable pipedrive(String entity) {
        return new CoreTable("pd_" + entity, "pipedrive", entity, "stg_pipedrive." + entity + "_raw",
                "sql/transforms/pipedrive/pd_" + entity + ".sql");
    }

    public static List<CoreTable> all() {
        return ALL;
    }

    public static List<CoreTable> forSource(String source) {
        return ALL.stream().filter(t -> t.source().equals(source)).toList();
    }

    public static Optional<CoreTable> find(String source, String entity) {
        return ALL.stream().filter(t -> t.source().equals(source) && t.entity().equals(entity)).findFirst();
    }

    /** The table for a source entity; an unknown pair is a programming or configuration error. */
    public static CoreTable of(String source, String entity) {
        return find(source, entity).orElseThrow(() -> new IllegalArgumentException(
                "No core table for source '" + source + "' entity '" + entity + "'; known: "
                        + ALL.stream().map(t -> t.source() + "/" + t.entity()).toList()));
    }
}
