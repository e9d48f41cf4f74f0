package com.skyfit.lake.source.evo;

import com.skyfit.lake.source.ErrorTable;
import com.skyfit.lake.source.Paginator;
import com.skyfit.lake.source.SourceDefinition;
import com.skyfit.lake.source.StreamSpec;
import com.skyfit.lake.source.StreamSpec.TimeFormat;
import java.time.Duration;
import java.util.List;

/**
 * EVO (W12), the gyms' management system, as data. Every list is a bare JSON array paged by take/skip up to its
 * endpoint's largest take; branches come whole in one answer. Date filters are {@code <field>Start} /
 * {@code <field>End} pairs of local times, both inclusive. Only receivables can be filtered by update date; every
 * other dated list is read by its event date (register or sale date) in windows, and its records change without
 * a new date (a member's status, a canceled contract, a removed sale): a periodic full re-scan from
 * {@code EVO_START_DATE} catches those. Entries have no id: the core key is a hash of their fields.
 *
 * <p>Window sizes follow the volume (production: entries 110 M, sales 12.8 M, members 2.4 M, prospects 612 K over
 * the years) against each endpoint's take, so a window holds a few dozen pages: entries and sales a day (about
 * 60 pages of 1000 and 70 of 100 on a busy day), receivables a day of updates, members, canceled contracts and
 * prospects a week (a few hundred records a day at takes of 50 and 25). An incremental run re-reads the window
 * holding its watermark less the look-back, so a wider window would make every run re-read more.
 */
public final class EvoSource {
    public static final String NAME = "evo";
    public static final String DEFAULT_BASE_URL = "https://evo-integracao-api.w12app.com.br";
    public static final int DEFAULT_LOOKBACK_DAYS = 3;

    /** The endpoints' largest takes (a larger one is refused). */
    public static final int MEMBERS_TAKE = 50;
    public static final int MEMBER_MEMBERSHIPS_TAKE = 25;
    public static final int SALES_TAKE = 100;
    public static final int RECEIVABLES_TAKE = 50;
    public static final int ENTRIES_TAKE = 1000;
    public static final int PROSPECTS_TAKE = 50;
    public static final int EMPLOYEES_TAKE = 50;

    static final Duration DAY = Duration.ofDays(1);
    static final Duration WEEK = Duration.ofDays(7);
    static final Duration MONTH = Duration.ofDays(30);

    /**
     * A key that the server refuses names both of its settings; an EVO 400 says what it refused (a take above the
     * endpoint's largest, a malformed date).
     */
    static final ErrorTable ERRORS = ErrorTable.builder()
            .onStatus(401, ErrorTable.Action.FAIL,
                    "{source} scope '{scope}' rejected its DNS and secret key (HTTP 401: {error}). Check the settings "
                            + "{setting}: the gym's DNS is the user, its integration secret key the password. "
                            + "The other scopes go on.")
            .standardRows()
            .build();

    public static final SourceDefinition DEFINITION = definition(Duration.ofDays(DEFAULT_LOOKBACK_DAYS), 0);

    private EvoSource() {}

    /**
     * The streams, each incremental run of an event-dated one starting {@code lookBack} before its watermark; with
     * {@code takeCap} above 0 no take exceeds it (tests page through a few records).
     */
    public static SourceDefinition definition(Duration lookBack, int takeCap) {
        return new SourceDefinition(NAME, List.of(
                StreamSpec.builder("branches", "/api/v1/configuration").paginator(Paginator.singlePage())
                        .primaryKey("idBranch").build(),
                eventDated("members", "/api/v2/members", "registerDate", "registerDate", take(MEMBERS_TAKE, takeCap))
                        .param("showMemberships", "true").primaryKey("idMember")
                        .windows(WEEK).rescanEvery(WEEK).lookBack(lookBack).build(),
                eventDated("member_memberships", "/api/v2/membermembership", "registerDate", "registerDate",
                        take(MEMBER_MEMBERSHIPS_TAKE, takeCap)).primaryKey("idMemberMembership")
                        .windows(WEEK).rescanEvery(WEEK).lookBack(lookBack).build(),
                eventDated("sales", "/api/v2/sales", "dateSale", "saleDate", take(SALES_TAKE, takeCap))
                        .param("showReceivables", "true").primaryKey("idSale")
                        .windows(DAY).rescanEvery(MONTH).lookBack(lookBack).build(),
                // The one list with an update filter: read by update date from the watermark less the overlap.
                eventDated("receivables", "/api/v1/receivables", "updateDate", "updateDate",
                        take(RECEIVABLES_TAKE, takeCap)).primaryKey("idReceivable").windows(DAY).build(),
                eventDated("entries", "/api/v1/entries", "registerDate", "date", take(ENTRIES_TAKE, takeCap))
                        .primaryKey(null).windows(DAY).lookBack(lookBack).build(),
                eventDated("prospects", "/api/v1/prospects", "registerDate", "registerDate",
                        take(PROSPECTS_TAKE, takeCap)).primaryKey("idProspect")
                        .windows(WEEK).rescanEvery(MONTH).lookBack(lookBack).build(),
                StreamSpec.builder("employees", "/api/v2/employees").paginator(Paginator.takeSkip())
                        .pageSize(take(EMPLOYEES_TAKE, takeCap)).primaryKey("idEmployee").build()),
                ERRORS);
    }

    /** A list filtered by {filter}Start / {filter}End, whose records carry that date as {@code cursorField}. */
    private static StreamSpec.Builder eventDated(String entity, String path, String filter, String cursorField, int take) {
        return StreamSpec.builder(entity, path).paginator(Paginator.takeSkip()).pageSize(take).cursorField(cursorField)
                .incremental(filter + "Start", filter + "End", TimeFormat.LOCAL_SECONDS_INCLUSIVE);
    }

    private static int take(int max, int cap) {
        return cap > 0 ? Math.min(max, cap) : max;
    }
}
