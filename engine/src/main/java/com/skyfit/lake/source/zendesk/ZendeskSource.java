package com.skyfit.lake.source.zendesk;

import com.skyfit.lake.source.ErrorTable;
import com.skyfit.lake.source.Paginator;
import com.skyfit.lake.source.SourceDefinition;
import com.skyfit.lake.source.StreamSpec;
import com.skyfit.lake.source.StreamSpec.TimeFormat;
import java.util.List;

/**
 * Zendesk Support as data. Tickets and users come from the cursor-based incremental export, continued from the
 * stored cursor (a deleted ticket comes back with status "deleted"); organizations only have the time-based
 * export, whose pages overlap by the boundary second, so its records are deduplicated; groups, ticket fields and
 * ticket forms are small lists read whole with cursor paging. {@code start_time} is compared with the export's
 * own time (generated_timestamp for tickets), so that is the cursor field.
 */
public final class ZendeskSource {
    public static final String NAME = "zendesk";
    /** Most records an export page holds. */
    public static final int EXPORT_PAGE_SIZE = 1000;
    /** Most records a list page holds. */
    public static final int LIST_PAGE_SIZE = 100;

    static final ErrorTable ERRORS = ErrorTable.builder()
            .onStatus(401, ErrorTable.Action.FAIL,
                    "{source} scope '{scope}' rejected the credentials (HTTP 401: {error}). Check the setting {setting}: "
                            + "a revoked, expired or mistyped credential (an API token also needs the email of the agent who owns it).")
            .standardRows()
            .build();

    public static final SourceDefinition DEFINITION = definition(0, EXPORT_PAGE_SIZE);

    private ZendeskSource() {}

    /** The streams, a full export starting at {@code startEpochSecond} (0: the account's beginning). */
    public static SourceDefinition definition(long startEpochSecond, int exportPageSize) {
        String start = String.valueOf(startEpochSecond);
        return new SourceDefinition(NAME, List.of(
                cursorExport("tickets", "generated_timestamp", start, exportPageSize),
                cursorExport("users", "updated_at", start, exportPageSize),
                StreamSpec.builder("organizations", "/api/v2/incremental/organizations.json")
                        .paginator(Paginator.timeExport("organizations")).pageSize(exportPageSize)
                        .cursorField("updated_at").param("start_time", start)
                        .incremental("start_time", null, TimeFormat.UNIX_SECONDS).dedupe().build(),
                list("groups"),
                list("ticket_fields"),
                list("ticket_forms")),
                ERRORS);
    }

    private static StreamSpec cursorExport(String entity, String cursorField, String start, int pageSize) {
        return StreamSpec.builder(entity, "/api/v2/incremental/" + entity + "/cursor.json")
                .paginator(Paginator.exportCursor(entity)).pageSize(pageSize).cursorField(cursorField)
                .param("start_time", start).incremental("start_time", null, TimeFormat.UNIX_SECONDS).build();
    }

    private static StreamSpec list(String entity) {
        return StreamSpec.builder(entity, "/api/v2/" + entity + ".json").paginator(Paginator.hasMore(entity))
                .pageSize(LIST_PAGE_SIZE).cursorField("updated_at").build();
    }
}
