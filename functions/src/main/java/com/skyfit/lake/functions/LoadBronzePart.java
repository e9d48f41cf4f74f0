package com.skyfit.lake.functions;

import com.microsoft.azure.functions.ExecutionContext;
import com.microsoft.azure.functions.annotation.BindingName;
import com.microsoft.azure.functions.annotation.BlobTrigger;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.skyfit.lake.bronze.BronzePath;
import com.skyfit.lake.staging.LoadResult;
import java.util.List;

/**
 * Loads each new bronze part into staging as it lands (Event Grid BlobCreated). The engine streams the
 * part from storage itself; the loader is idempotent, so a second delivery of the same event skips the
 * part. The Java worker reads the whole blob into the trigger parameter, which is why bronze parts are
 * written in bounded sizes.
 */
public class LoadBronzePart {

    @FunctionName("LoadBronzePart")
    public void run(
            @BlobTrigger(name = "content", dataType = "binary", path = "%SKYFIT_BRONZE_CONTAINER%/bronze/{name}",
                    connection = "SKYFIT_STORAGE", source = "EventGrid") byte[] content,
            @BindingName("name") String name,
            ExecutionContext context) {
        LoadResult result = load(name);
        if (result == null) {
            context.getLogger().info("Ignored bronze/" + name + ": not a bronze part");
            return;
        }
        if (result.filesFailed() > 0) {
            context.getLogger().severe("bronze/" + name + " failed for good (not retried): "
                    + IngestActivities.failures(result));
            return;
        }
        context.getLogger().info("bronze/" + name + ": loaded " + result.filesLoaded() + ", skipped "
                + result.filesSkipped() + ", rows " + result.rowsLoaded() + ", invalid " + result.rowsInvalid());
    }

    /**
     * Loads one part by its name below bronze/. Returns null for blobs that are not parts. Only a part a transient
     * failure sent back to 'written' throws, so the host delivers the event again; a part failed for good (corrupt
     * gzip, impossible name) is on the ledger or in the log with its reason, and redelivering it would only read it
     * again until the event lands in the poison queue. The orchestrator's fallback catches the rest.
     */
    static LoadResult load(String name) {
        String path = "bronze/" + name;
        if (!BronzePath.isBronzePart(path)) {
            return null;
        }
        LoadResult result = EngineProvider.engine().load(List.of(path), false);
        if (result.files().stream().anyMatch(LoadResult.FileOutcome::postponed)) {
            throw new IllegalStateException("Could not load " + path + " for now: " + IngestActivities.failures(result));
        }
        return result;
    }
}
