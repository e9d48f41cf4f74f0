package com.skyfit.lake.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.skyfit.lake.testing.TestPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DatabaseIT {

    @Test
    void migrationsCreateControlAndStagingSchemas() throws Exception {
        try (Database db = TestPostgres.newDatabase();
                Connection c = db.connection();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(
                        "SELECT table_schema || '.' || table_name FROM information_schema.tables "
                                + "WHERE table_schema IN ('ops', 'stg_pipedrive') ORDER BY 1")) {
            List<String> tables = new ArrayList<>();
            while (rs.next()) {
                tables.add(rs.getString(1));
            }
            assertThat(tables).contains("ops.runs", "ops.windows", "ops.bronze_files", "ops.watermarks",
                    "stg_pipedrive.deals_raw", "stg_pipedrive.users_raw");
        }
    }
}
