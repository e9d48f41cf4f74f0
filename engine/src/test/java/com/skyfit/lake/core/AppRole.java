package com.skyfit.lake.core;

import com.skyfit.lake.config.Secret;
import com.skyfit.lake.control.Database;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;

/**
 * The Function App's PostgreSQL role as production sets it up: a login role that owns no table, given what
 * infra/sql/grant-app-role.sql grants, on the test's database.
 */
final class AppRole {
    private AppRole() {
    }

    /** Creates the role (if needed), runs the grant script for it and opens a database connected as it. */
    static Database connect(Database admin, String role, String password) throws Exception {
        String url;
        try (Connection c = admin.connection(); Statement st = c.createStatement()) {
            url = c.getMetaData().getURL();
            st.execute("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '" + role + "') THEN "
                    + "CREATE ROLE \"" + role + "\" LOGIN PASSWORD '" + password + "'; END IF; END $$");
            st.execute("SELECT set_config('skyfit.app_role', '" + role + "', false)");
            String script = Files.readString(Path.of("..", "infra", "sql", "grant-app-role.sql"));
            st.execute(script.substring(script.indexOf("DO $$")));
        }
        return Database.external(url, role, Secret.of(password));
    }
}
