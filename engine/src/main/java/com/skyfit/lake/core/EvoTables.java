package com.skyfit.lake.core;

import static com.skyfit.lake.core.Column.of;
import static com.skyfit.lake.core.ColumnType.BIGINT;
import static com.skyfit.lake.core.ColumnType.BOOLEAN;
import static com.skyfit.lake.core.ColumnType.TIMESTAMP;

/** The EVO core tables (sales today, the benchmark's table; the EVO source adds the others). */
final class EvoTables {
    private EvoTables() {}

    /** Times are the gym's local time, as EVO sends them. Receivables' amount is "ammount" (sic). */
    static final CoreTable SALES = CoreTable.declare("evo", "sales", "evo_sales")
            .describe("A sale has no update time: the version ingested last wins. Its value is the sum of its items,\n"
                    + "which stay as sent in items.")
            .key(of("id_sale", BIGINT, "idSale"))
            .columns(of("id_member", BIGINT, "idMember"), of("id_prospect", BIGINT, "idProspect"),
                    of("id_branch", BIGINT, "idBranch"), of("id_employee_sale", BIGINT, "idEmployeeSale"),
                    of("sale_date", TIMESTAMP, "saleDate"), of("removed", BOOLEAN, "removed").orElse("false"),
                    of("removal_date", TIMESTAMP, "removalDate"))
            .array(ArrayField.of("items", "saleItens").keep().count("items_count").sum("total_value", "saleValue"))
            .array(ArrayField.of("receivables", "receivables").count("receivables_count")
                    .sum("receivables_total", "ammount"))
            .deletedWhen("removed").build();
}
