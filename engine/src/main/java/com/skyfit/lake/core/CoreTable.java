package com.skyfit.lake.core;

/**
 * One core table and where it comes from.
 *
 * @param name              table name in the core schema, e.g. "pd_deals"
 * @param source            source system, e.g. "pipedrive"
 * @param entity            source entity, e.g. "deals"
 * @param stagingTable      qualified staging table, e.g. "stg_pipedrive.deals_raw"
 * @param transformResource classpath resource of its transform, e.g. "sql/transforms/pipedrive/pd_deals.sql"
 */
public record CoreTable(String name, String source, String entity, String stagingTable, String transformResource) {

    /** "core.pd_deals": also the key of the table's row in ops.transform_state. */
    public String qualifiedName() {
        return "core." + name;
    }
}
