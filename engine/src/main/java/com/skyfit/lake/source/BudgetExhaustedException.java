package com.skyfit.lake.source;

/**
 * The scope's daily request budget is used up. Not an error of the data: the pipeline stops this
 * scope cleanly, keeps what it committed, leaves the watermark where it was and tries again on the
 * next run, while other scopes (other budgets) go on.
 */
public final class BudgetExhaustedException extends SourceException {
    public BudgetExhaustedException(String source, String scope, ErrorTable.Row row, String message) {
        super(source, scope, 429, row, message, null);
    }
}
