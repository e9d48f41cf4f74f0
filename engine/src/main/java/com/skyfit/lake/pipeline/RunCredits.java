package com.skyfit.lake.pipeline;

import com.skyfit.lake.control.RunLedger;
import com.skyfit.lake.core.RunCredit;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Credits a batch's transform counts to the batch's own runs: rows extracted by a run of this batch count to
 * it; rows a dead run left behind (extracted, maybe loaded, never transformed) count to this batch's run of the
 * same source, scope and entity, which finished the job. Rows of any other run keep their extracting run.
 */
final class RunCredits implements RunCredit {
    private final Map<String, String> byEntity = new HashMap<>();
    private final Map<String, String> cache = new HashMap<>();

    RunCredits(List<RunLedger.Run> batchRuns) {
        for (RunLedger.Run r : batchRuns) {
            if (r.status().equals("running")) {
                byEntity.put(key(r), r.runId());
                cache.put(r.runId(), r.runId());
            }
        }
    }

    @Override
    public synchronized String creditedRun(Connection c, String stagingRunId) throws SQLException {
        String known = cache.get(stagingRunId);
        if (known != null) {
            return known;
        }
        String credited = stagingRunId;
        try (PreparedStatement ps = c.prepareStatement("SELECT source, scope, entity FROM ops.runs WHERE run_id = ?")) {
            ps.setString(1, stagingRunId);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    credited = byEntity.getOrDefault(key(rs.getString(1), rs.getString(2), rs.getString(3)), stagingRunId);
                }
            }
        }
        cache.put(stagingRunId, credited);
        return credited;
    }

    private static String key(RunLedger.Run r) {
        return key(r.source(), r.scope(), r.entity());
    }

    private static String key(String source, String scope, String entity) {
        return source + "\u0000" + scope + "\u0000" + entity;
    }
}
