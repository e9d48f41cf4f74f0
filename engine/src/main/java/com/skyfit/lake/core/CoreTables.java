package com.skyfit.lake.core;

import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The catalog of core tables, each declared once (PipedriveTables, EvoTables, ChatwootTables, ZendeskTables). Adding
 * one is a declaration, a line here, its CREATE TABLE in a migration (TableDdl writes it) and its generated file under
 * sql/transforms. A step no declaration can express is registered as hand-written (CoreTable.handWritten).
 */
public final class CoreTables {

    public static final CoreTable PD_DEALS = PipedriveTables.DEALS;
    public static final CoreTable PD_PERSONS = PipedriveTables.PERSONS;
    public static final CoreTable PD_ORGANIZATIONS = PipedriveTables.ORGANIZATIONS;
    public static final CoreTable PD_ACTIVITIES = PipedriveTables.ACTIVITIES;
    public static final CoreTable PD_PIPELINES = PipedriveTables.PIPELINES;
    public static final CoreTable PD_STAGES = PipedriveTables.STAGES;
    public static final CoreTable PD_USERS = PipedriveTables.USERS;
    public static final CoreTable EVO_BRANCHES = EvoTables.BRANCHES;
    public static final CoreTable EVO_MEMBERS = EvoTables.MEMBERS;
    /** The canceled-contracts endpoint; evo_members writes the same table from each member's memberships[]. */
    public static final CoreTable EVO_MEMBER_MEMBERSHIPS = EvoTables.MEMBER_MEMBERSHIPS;
    public static final CoreTable EVO_SALES = EvoTables.SALES;
    public static final CoreTable EVO_RECEIVABLES = EvoTables.RECEIVABLES;
    public static final CoreTable EVO_ENTRIES = EvoTables.ENTRIES;
    public static final CoreTable EVO_PROSPECTS = EvoTables.PROSPECTS;
    public static final CoreTable EVO_EMPLOYEES = EvoTables.EMPLOYEES;
    public static final CoreTable CHATWOOT_CONVERSATIONS = ChatwootTables.CONVERSATIONS;
    /** Each run's complete id listing; its hand-written step marks the conversations it no longer holds as deleted. */
    public static final CoreTable CHATWOOT_ID_LISTINGS = ChatwootTables.ID_LISTINGS;
    public static final CoreTable ZD_TICKETS = ZendeskTables.TICKETS;
    public static final CoreTable ZD_USERS = ZendeskTables.USERS;
    public static final CoreTable ZD_ORGANIZATIONS = ZendeskTables.ORGANIZATIONS;
    public static final CoreTable ZD_GROUPS = ZendeskTables.GROUPS;
    public static final CoreTable ZD_TICKET_FIELDS = ZendeskTables.TICKET_FIELDS;
    public static final CoreTable ZD_TICKET_FORMS = ZendeskTables.TICKET_FORMS;

    private static final List<CoreTable> ALL = List.of(PD_DEALS, PD_PERSONS, PD_ORGANIZATIONS, PD_ACTIVITIES,
            PD_PIPELINES, PD_STAGES, PD_USERS,
            // canceled contracts before members: a member read no longer lists a canceled contract, and once the
            // canceled read wrote it, the member read leaves it alone (ChildSql: a step flags only its own rows)
            EVO_BRANCHES, EVO_MEMBER_MEMBERSHIPS, EVO_MEMBERS, EVO_SALES, EVO_RECEIVABLES, EVO_ENTRIES, EVO_PROSPECTS,
            EVO_EMPLOYEES,
            // listings after conversations: a batch's deletes are judged against the rows it just wrote
            CHATWOOT_CONVERSATIONS, CHATWOOT_ID_LISTINGS,
            ZD_TICKETS, ZD_USERS, ZD_ORGANIZATIONS, ZD_GROUPS, ZD_TICKET_FIELDS, ZD_TICKET_FORMS);

    private CoreTables() {}

    public static List<CoreTable> all() {
        return ALL;
    }

    public static List<CoreTable> forSource(String source) {
        return ALL.stream().filter(t -> t.source().equals(source)).toList();
    }

    public static Optional<CoreTable> find(String source, String entity) {
        return ALL.stream().filter(t -> t.source().equals(source) && t.entity().equals(entity)).findFirst();
    }

    /**
     * The tables a full refresh of the step empties: those it writes that no other step of the catalog writes. A
     * table two steps write (a member's contracts and the canceled-contracts endpoint) is recomputed in place
     * instead: emptying it would lose the other step's rows until that step ran again.
     */
    public static List<String> refreshedBy(CoreTable step) {
        return step.writtenTables().stream().filter(name -> ALL.stream()
                .noneMatch(t -> t != step && t.writtenTables().contains(name))).toList();
    }

    /** The step's state key and those of the steps that write a table it writes, in name order. */
    public static List<String> sharing(CoreTable step) {
        return Stream.concat(Stream.of(step), ALL.stream()
                        .filter(t -> t != step && t.writtenTables().stream().anyMatch(step.writtenTables()::contains)))
                .map(CoreTable::qualifiedName).distinct().sorted().toList();
    }

    /** A table by its name, with or without the "core." schema, e.g. "pd_deals". */
    public static Optional<CoreTable> named(String name) {
        String bare = name.startsWith("core.") ? name.substring(5) : name;
        return ALL.stream().filter(t -> t.name().equals(bare)).findFirst();
    }

    /** The table for a source entity; an unknown pair is a programming or configuration error. */
    public static CoreTable of(String source, String entity) {
        return find(source, entity).orElseThrow(() -> new IllegalArgumentException(
                "No core table for source '" + source + "' entity '" + entity + "'; known: "
                        + ALL.stream().map(t -> t.source() + "/" + t.entity()).toList()));
    }
}
