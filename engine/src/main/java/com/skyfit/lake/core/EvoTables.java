package com.skyfit.lake.core;

import static com.skyfit.lake.core.Column.derived;
import static com.skyfit.lake.core.Column.of;
import static com.skyfit.lake.core.Column.text;
import static com.skyfit.lake.core.ColumnType.BIGINT;
import static com.skyfit.lake.core.ColumnType.BOOLEAN;
import static com.skyfit.lake.core.ColumnType.DATE;
import static com.skyfit.lake.core.ColumnType.INTEGER;
import static com.skyfit.lake.core.ColumnType.NUMERIC;
import static com.skyfit.lake.core.ColumnType.TEXT;
import static com.skyfit.lake.core.ColumnType.TIMESTAMP;

import java.util.List;

/**
 * The EVO (W12) core tables. Times are the gym's local time without offset, as EVO sends them (timestamp). No
 * EVO record but the receivable has an update time, so versions are ordered by when they were read: the one read
 * last wins.
 */
final class EvoTables {
    private EvoTables() {}

    private static final Column ID_BRANCH = of("id_branch", BIGINT, "idBranch");
    private static final Column REGISTER_DATE = of("register_date", TIMESTAMP, "registerDate");
    /** Lists that flag missing rows: a record the whole list no longer has is deleted (MissingRows). */
    private static final Column NOT_DELETED = derived("is_deleted", BOOLEAN, "false").orElse("false");

    static final CoreTable BRANCHES = CoreTable.declare("evo", "branches", "evo_branches")
            .describe("The key's branches (/api/v1/configuration), read whole every run.")
            .key(ID_BRANCH)
            .columns(text("name", "name"), text("internal_name", "internalName"), text("cnpj", "cnpj"),
                    text("city", "city"), text("state", "state"), text("address", "address"), text("phone", "phone"),
                    text("email", "email"), text("time_zone", "timeZone"), of("active", BOOLEAN, "active"),
                    NOT_DELETED)
            .deletedWhenMissing("is_deleted").build();

    /** A contract's columns, as both the members' memberships[] and /api/v2/membermembership send them. */
    private static List<Column> contract(Column idBranch) {
        return List.of(of("id_membership", BIGINT, "idMembership"), of("id_sale", BIGINT, "idSale"),
                text("plan_name", "name"), idBranch, REGISTER_DATE, of("start_date", TIMESTAMP, "startDate"),
                of("end_date", TIMESTAMP, "endDate"), of("cancel_date", TIMESTAMP, "cancelDate"),
                text("membership_status", "membershipStatus"), of("value_next_month", NUMERIC, "valueNextMonth"));
    }

    private static final Column ID_MEMBER_MEMBERSHIP = of("id_member_membership", BIGINT, "idMemberMembership");

    static final CoreTable MEMBERS = CoreTable.declare("evo", "members", "evo_members")
            .describe("membershipStatus (Active / Inactive / Suspended / Canceled), accessBlocked and lastAccessDate\n"
                    + "change without any date the API filters on: only a full re-scan of members brings them, and\n"
                    + "the re-scan, read last, wins. Contacts and contracts (memberships[]) become child rows.\n"
                    + "core.evo_member_memberships is also written by evo_member_memberships.sql (the canceled\n"
                    + "contracts of /api/v2/membermembership): a contract row keeps the newest observation of both,\n"
                    + "compared by lineage, so a re-scan of members updates a contract's status and an older member\n"
                    + "version never overwrites a newer canceled contract. Only that endpoint sends cancelReason:\n"
                    + "a member's contract never writes it.")
            .key(of("id_member", BIGINT, "idMember"))
            .columns(text("first_name", "firstName"), text("last_name", "lastName"), text("document", "document"),
                    text("email", "email"), text("gender", "gender"), of("birth_date", DATE, "birthDate"),
                    REGISTER_DATE, of("conversion_date", TIMESTAMP, "conversionDate"), ID_BRANCH,
                    text("branch_name", "branchName"), of("access_blocked", BOOLEAN, "accessBlocked"),
                    text("blocked_reason", "blockedReason"), text("membership_status", "membershipStatus"),
                    text("gympass_id", "gympassId"), text("code_totalpass", "codeTotalpass"),
                    of("last_access_date", TIMESTAMP, "lastAccessDate"),
                    of("id_employee_consultant", BIGINT, "idEmployeeConsultant"))
            .child(new ChildTable("evo_member_contacts", "contacts", List.of(of("id_phone", BIGINT, "idPhone")),
                    List.of(of("id_contact_type", INTEGER, "idContactType"), text("contact_type", "contactType"),
                            text("description", "description"), text("ddi", "ddi"))))
            .child(new ChildTable("evo_member_memberships", "memberships", List.of(ID_MEMBER_MEMBERSHIP),
                    contract(ChildTable.orParent(of("id_branch", BIGINT, "idBranch")))))
            .build();

    static final CoreTable MEMBER_MEMBERSHIPS = CoreTable.declare("evo", "member_memberships",
                    "evo_member_memberships")
            .describe("Contracts of /api/v2/membermembership (canceled ones, with cancelReason). evo_members.sql\n"
                    + "writes the same rows from every member's memberships[]: each contract as it is now, refreshed\n"
                    + "by the full re-scan, the only read that sees a status change. Neither input has an update\n"
                    + "time, so both keep the newest observation by read time (the part's write time), then lineage\n"
                    + "(run, part, line), the order of every EVO version: whichever was read last is the contract's\n"
                    + "state, a re-scan of members updates a status, and a part loaded late never undoes a newer\n"
                    + "read. Only this endpoint sends cancelReason; the members' read never clears it. A contract a\n"
                    + "newer member read no longer lists is flagged is_deleted, only when that member carries\n"
                    + "memberships[] and only if the members' read wrote the row: a contract this endpoint wrote\n"
                    + "(canceled ones, which members leave out) is never flagged by a member read. This step runs\n"
                    + "first in a batch. Keyed by member and contract (idMemberMembership is unique in a\n"
                    + "scope; the member is in the key because a member's contracts are its child rows). The two\n"
                    + "steps never run at once, and a full refresh of either recomputes this table in place.")
            .key(of("id_member", BIGINT, "idMember"), ID_MEMBER_MEMBERSHIP)
            .columns(concat(contract(ID_BRANCH), text("cancel_reason", "cancelReason"),
                    derived("is_deleted", BOOLEAN, "false").orElse("false")))
            .build();

    static final CoreTable SALES = CoreTable.declare("evo", "sales", "evo_sales")
            .describe("A sale has no update time: the version read last wins. Its value is the sum of its items'\n"
                    + "saleValue; the items stay as sent in items and become rows of evo_sale_items. A removed sale\n"
                    + "comes back with removed = true and removalDate (saleDate unchanged).")
            .key(of("id_sale", BIGINT, "idSale"))
            .columns(of("id_member", BIGINT, "idMember"), of("id_prospect", BIGINT, "idProspect"),
                    ID_BRANCH, of("id_employee_sale", BIGINT, "idEmployeeSale"),
                    of("sale_date", TIMESTAMP, "saleDate"), of("removed", BOOLEAN, "removed").orElse("false"),
                    of("removal_date", TIMESTAMP, "removalDate"))
            .array(ArrayField.of("items", "saleItens").keep().count("items_count").sum("total_value", "saleValue"))
            .array(ArrayField.of("receivables", "receivables").count("receivables_count")
                    .sum("receivables_total", "ammount"))
            .child(new ChildTable("evo_sale_items", "saleItens", List.of(of("id_sale_item", BIGINT, "idSaleItem")),
                    List.of(text("description", "description"), of("quantity", NUMERIC, "quantity"),
                            of("item_value", NUMERIC, "itemValue"), of("sale_value", NUMERIC, "saleValue"),
                            of("discount", NUMERIC, "discount"), of("id_membership", BIGINT, "idMembership"),
                            of("id_product", BIGINT, "idProduct"), of("id_service", BIGINT, "idService"))))
            .deletedWhen("removed").build();

    static final CoreTable RECEIVABLES = CoreTable.declare("evo", "receivables", "evo_receivables")
            .describe("Read by updateDate, the only update filter EVO has, which orders versions. The API spells the\n"
                    + "amount \"ammount\". status is {id, name}: 1 Open, 2 Received, 3 Canceled, 4 Overdue.")
            .key(of("id_receivable", BIGINT, "idReceivable"))
            .columns(of("id_sale", BIGINT, "idSale"), of("id_member_payer", BIGINT, "idMemberPayer"), ID_BRANCH,
                    text("description", "description"), of("registration_date", TIMESTAMP, "registrationDate"),
                    of("due_date", TIMESTAMP, "dueDate"), of("receiving_date", TIMESTAMP, "receivingDate"),
                    of("competence_date", TIMESTAMP, "competenceDate"),
                    of("cancellation_date", TIMESTAMP, "cancellationDate"), of("update_date", TIMESTAMP, "updateDate"),
                    of("amount", NUMERIC, "ammount", "amount"), of("amount_paid", NUMERIC, "amountPaid"),
                    of("status_id", INTEGER, "status.id"), text("status_name", "status.name"),
                    Column.sql("payment_type", TEXT, "paymentType", "CASE jsonb_typeof(raw -> 'paymentType') "
                            + "WHEN 'object' THEN raw -> 'paymentType' ->> 'name' "
                            + "ELSE nullif(raw ->> 'paymentType', '') END"))
            .versionBy("update_date").build();

    /**
     * An entry has no id. Its key is ops.evo_entry_key (V061): the entry's second since 1970 (12 hex digits), then
     * the first 20 hex digits of the md5 of its identifying fields, normalised and typed: the date as a local
     * timestamp to the microsecond ("07:12:05", "07:12:05.000" and "2024-05-01 07:12:05" agree), ids as numbers
     * (5, 5.0 and "5" agree), texts trimmed, each quoted or NULL (null, empty and absent alike) and joined by '|'.
     * The same entry read again gets the same key, a null idMember never reads as another field's value, and two
     * entries one second apart differ. A date with an offset has no key (EVO sends the gym's wall clock). The time
     * prefix keeps a day's keys together in the primary key index, so loading a day touches a few of its pages,
     * not pages all over a 110-million-row index.
     *
     * <p>Derived from the columns' values (ops.evo_entry_key_of, V067: the same key from the same normalised
     * fields), so each field is read and parsed once for the column and the key alike.
     */
    private static final Column ENTRY_KEY = Column.derived("entry_key", ColumnType.UUID, """
            ops.evo_entry_key_of(id_branch_text, entry_date_text, entry_date, id_member_text, id_prospect_text,
                                 entry_type, device)""").label("no entry key: idBranch missing, or date missing or not a local time at or after 1970");

    /** An entry's id, read as its key reads it: 5.0 is 5. */
    private static Column entryId(String name, String field) {
        return Column.sql(name, BIGINT, field, "raw ->> '" + field + "'").normalizedBy("ops.integral_text");
    }

    /** An entry's text, trimmed as its key reads it. */
    private static Column entryText(String name, String field) {
        return Column.sql(name, TEXT, field, "nullif(btrim(raw ->> '" + field + "'), '')");
    }

    static final CoreTable ENTRIES = CoreTable.declare("evo", "entries", "evo_entries")
            .describe("Gym entries (turnstile and desk), the largest table: lean on purpose. entry_key is the entry's\n"
                    + "second (hex) then md5 over (idBranch, date, idMember, idProspect, entryType, device), normalised\n"
                    + "(ops.evo_entry_key: date to the microsecond, ids as numbers, texts trimmed, each quoted or NULL),\n"
                    + "so re-extracting a day never doubles a row, however its fields are spelled, and entries one\n"
                    + "second apart are two rows. The columns read the fields as the key does. An entry is a member's\n"
                    + "(id_member) or a prospect's (id_prospect); block_reason is set when refused. An entry without\n"
                    + "idBranch or a readable date (local, no offset) has no key: invalid in staging.")
            .key(ENTRY_KEY)
            .columns(Column.sql("entry_date", TIMESTAMP, "date", "nullif(btrim(raw ->> 'date'), '')"),
                    entryId("id_member", "idMember"), entryId("id_prospect", "idProspect"),
                    entryId("id_branch", "idBranch"), entryText("entry_type", "entryType"),
                    entryText("device", "device"), text("block_reason", "blockReason"), text("released_by", "releasedBy"))
            .build();

    static final CoreTable PROSPECTS = CoreTable.declare("evo", "prospects", "evo_prospects")
            .describe("A converted prospect carries the member it became (idMember) and its conversionDate.")
            .key(of("id_prospect", BIGINT, "idProspect"))
            .columns(text("first_name", "firstName"), text("last_name", "lastName"), text("email", "email"),
                    text("phone", "phone"), REGISTER_DATE, of("conversion_date", TIMESTAMP, "conversionDate"),
                    of("id_member", BIGINT, "idMember"), ID_BRANCH, of("id_employee", BIGINT, "idEmployee"),
                    text("origin", "origin"))
            .build();

    static final CoreTable EMPLOYEES = CoreTable.declare("evo", "employees", "evo_employees")
            .describe("The whole list every run. active false is an inactive employee, not a deleted one.")
            .key(of("id_employee", BIGINT, "idEmployee"))
            .columns(text("name", "name"), text("email", "email"), ID_BRANCH, text("job_position", "jobPosition"),
                    of("active", BOOLEAN, "active"), REGISTER_DATE, NOT_DELETED)
            .deletedWhenMissing("is_deleted").build();

    private static Column[] concat(List<Column> head, Column... tail) {
        List<Column> all = new java.util.ArrayList<>(head);
        all.addAll(List.of(tail));
        return all.toArray(Column[]::new);
    }
}
