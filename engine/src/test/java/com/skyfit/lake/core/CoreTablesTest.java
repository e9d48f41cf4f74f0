package com.skyfit.lake.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CoreTablesTest {

    @Test
    void findsTablesBySourceAndEntity() {
        CoreTable deals = CoreTables.of("pipedrive", "deals");
        assertThat(deals.name()).isEqualTo("pd_deals");
        assertThat(deals.qualifiedName()).isEqualTo("core.pd_deals");
        assertThat(deals.stagingTable()).isEqualTo("stg_pipedrive.deals_raw");
        assertThat(deals.transformResource()).isEqualTo("sql/transforms/pipedrive/pd_deals.sql");
        assertThat(CoreTables.find("evo", "sales")).contains(CoreTables.EVO_SALES);
        assertThat(CoreTables.find("pipedrive", "leads")).isEmpty();
        assertThat(CoreTables.forSource("pipedrive")).hasSize(7).doesNotContain(CoreTables.EVO_SALES);
    }

    @Test
    void everyEvoEntityHasItsTableAndContractsAreWrittenByTwoSteps() {
        assertThat(CoreTables.forSource("evo")).extracting(CoreTable::entity).containsExactly("branches",
                "member_memberships", "members", "sales", "receivables", "entries", "prospects", "employees");
        assertThat(CoreTables.sharing(CoreTables.EVO_MEMBERS))
                .containsExactly("core.evo_member_memberships", "core.evo_members");
        assertThat(CoreTables.sharing(CoreTables.EVO_MEMBER_MEMBERSHIPS))
                .containsExactly("core.evo_member_memberships", "core.evo_members");
        assertThat(CoreTables.sharing(CoreTables.EVO_SALES)).containsExactly("core.evo_sales");
        // a full refresh empties only what no other step writes
        assertThat(CoreTables.refreshedBy(CoreTables.EVO_MEMBERS))
                .containsExactly("core.evo_members", "core.evo_member_contacts");
        assertThat(CoreTables.refreshedBy(CoreTables.EVO_MEMBER_MEMBERSHIPS)).isEmpty();
        assertThat(CoreTables.refreshedBy(CoreTables.EVO_SALES)).containsExactly("core.evo_sales", "core.evo_sale_items");
    }

    @Test
    void unknownEntityNamesTheKnownOnes() {
        assertThatThrownBy(() -> CoreTables.of("pipedrive", "leads"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("pipedrive/deals");
    }

    @Test
    void everyTransformFileIsOnTheClasspath() {
        for (CoreTable t : CoreTables.all()) {
            assertThat(getClass().getClassLoader().getResource(t.transformResource()))
                    .as(t.transformResource()).isNotNull();
        }
    }
}
