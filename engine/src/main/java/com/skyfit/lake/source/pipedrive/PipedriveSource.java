package com.skyfit.lake.source.pipedrive;

import com.skyfit.lake.source.ErrorTable;
import com.skyfit.lake.source.Paginator;
import com.skyfit.lake.source.SourceDefinition;
import com.skyfit.lake.source.StreamSpec;
import com.skyfit.lake.source.StreamSpec.TimeFormat;
import java.util.List;
import java.util.Map;

/**
 * Pipedrive as data. v2 lists page by cursor and filter by update time; users stay on v1 and are
 * read whole, as are pipelines and stages (a handful of rows each); a row a whole read no longer has was
 * deleted. Deleted and archived deals are left out of the plain deals list, so deals take a pass with
 * status=deleted (deletes of the last 30 days) and one at /api/v2/deals/archived (archived deals, their own list
 * since 2025-07-15). Persons, organizations and activities are listed without their deleted records and have
 * no filter for them: their deletes (and a deal purged 30 days after its delete) are found by reconciling,
 * an unfiltered read every PIPEDRIVE_RECONCILE_DAYS.
 */
public final class PipedriveSource {
    public static final String NAME = "pipedrive";
    public static final int MAX_PAGE_SIZE = 500;

    /**
     * A 429 from the daily budget looks like one from the 2-second burst window except for this
     * header; waiting would not help until tomorrow, so the scope stops instead.
     */
    static final ErrorTable ERRORS = ErrorTable.builder()
            .on("daily budget", a -> a.status() == 429 && a.header("x-daily-requests-left").map(String::trim)
                            .filter("0"::equals).isPresent(), ErrorTable.Action.BUDGET_EXHAUSTED,
                    "{source} scope '{scope}' used up its daily request budget (HTTP 429, x-daily-requests-left: 0). "
                            + "The scope stops here with its watermark unchanged and resumes on the next run.")
            .standardRows()
            .build();

    public static final SourceDefinition DEFINITION = definition(MAX_PAGE_SIZE);

    private PipedriveSource() {}

    public static SourceDefinition definition(int pageSize) {
        return new SourceDefinition(NAME, List.of(
                changing("deals").pass(Map.of()).pass(Map.of("status", "deleted"))
                        .passAt("/api/v2/deals/archived", Map.of()).pageSize(pageSize).build(),
                changing("persons").pageSize(pageSize).build(),
                changing("organizations").pageSize(pageSize).build(),
                changing("activities").pageSize(pageSize).build(),
                whole("pipelines").pageSize(pageSize).build(),
                whole("stages").pageSize(pageSize).build(),
                StreamSpec.builder("users", "/api/v1/users").paginator(Paginator.startLimit())
                        .cursorField("modified").pageSize(pageSize).build()),
                ERRORS);
    }

    private static StreamSpec.Builder changing(String entity) {
        return StreamSpec.builder(entity, "/api/v2/" + entity).paginator(Paginator.cursorInBody())
                .cursorField("update_time")
                .incremental("updated_since", "updated_until", TimeFormat.RFC3339_SECONDS)
                .param("sort_by", "update_time").param("sort_direction", "asc").reconciles();
    }

    private static StreamSpec.Builder whole(String entity) {
        return StreamSpec.builder(entity, "/api/v2/" + entity).paginator(Paginator.cursorInBody())
                .cursorField("update_time");
    }
}
