package com.skyfit.lake.cli;

import com.skyfit.lake.control.Database;
import com.skyfit.lake.control.OpsQueries;
import java.io.PrintStream;

/** The per scope / entity table a batch prints, read back from the run ledger. */
final class RunReport {
    private RunReport() {}

    static boolean print(Database db, String batchId, PrintStream out) {
        out.printf("%-12s %-14s %-8s %10s %6s %10s %9s %9s %10s %8s %8s%n", "scope", "entity", "status", "extracted",
                "files", "staged", "inserted", "updated", "unchanged", "deleted", "seconds");
        boolean ok = true;
        for (OpsQueries.BatchRow r : new OpsQueries(db).batchRows(batchId)) {
            out.printf("%-12s %-14s %-8s %10d %6d %10d %9d %9d %10d %8d %8.2f%n", r.scope(), r.entity(), r.status(),
                    r.extracted(), r.files(), r.staged(), r.inserted(), r.updated(), r.unchanged(), r.deleted(),
                    r.seconds());
            if (r.error() != null) {
                out.println("             error: " + r.error());
            }
            ok &= r.status().equals("success");
        }
        return ok;
    }
}
