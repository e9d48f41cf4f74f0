package com.skyfit.lake.core;

import java.util.ArrayList;
import java.util.List;

/**
 * One core table, declared: where it comes from, its key and columns, how versions of a record are ordered,
 * which column says it was deleted, and its child tables. {@link TransformSql} turns the declaration into the
 * set-based transform; {@link TableDdl} into its CREATE TABLE.
 *
 * <p>Every table is keyed by scope and its key: the same id means different records in different accounts.
 *
 * @param name              table name in the core schema, e.g. "pd_deals"
 * @param source            source system, e.g. "pipedrive"
 * @param entity            source entity, e.g. "deals"
 * @param stagingTable      qualified staging table, e.g. "stg_pipedrive.deals_raw"
 * @param transformResource the generated transform as checked in, e.g. "sql/transforms/pipedrive/pd_deals.sql"
 * @param description       what a reader of the transform should know first (API versions, odd fields)
 * @param key               the record's key columns (without scope)
 * @param columns           the other columns, in table order
 * @param arrays            arrays read once per record: stored, counted, summed
 * @param versionColumn     the source's update time; null when the source has none and the last-ingested wins
 * @param deletedColumn     the boolean column that marks a deleted record, or null when records are never deleted
 * @param children          child tables unnested from arrays
 * @param generated         false for a step the declarations cannot express: its checked-in file is hand-written,
 *                          marked as such ({@link #HAND_WRITTEN}), and its table is described by its migration alone
 * @param flagsMissing      a complete read that no longer holds a key flags its row deleted ({@link MissingRows});
 *                          the table then has deleted_by_run and deleted_at
 */
public record CoreTable(String name, String source, String entity, String stagingTable, String transformResource,
        String description, List<Column> key, List<Column> columns, List<ArrayField> arrays, String versionColumn,
        String deletedColumn, List<ChildTable> children, boolean generated, boolean flagsMissing) {

    /** The first line of every hand-written transform file; a generated file never starts with it. */
    public static final String HAND_WRITTEN = "-- Hand-written: not generated from a declaration.";

    /** The columns a table that flags missing rows has beside its declared ones: which run found it gone, when. */
    static final List<String> MISSING_COLUMNS = List.of("deleted_by_run text", "deleted_at timestamptz");

    /** "core.pd_deals": also the key of the table's row in ops.transform_state. */
    public String qualifiedName() {
        return "core." + name;
    }

    /** The tables its transform writes: its own and its child tables, e.g. "core.evo_sales", "core.evo_sale_items". */
    public List<String> writtenTables() {
        List<String> out = new ArrayList<>(List.of(qualifiedName()));
        children.forEach(c -> out.add(c.qualifiedName()));
        return out;
    }

    /** The transform SQL: generated from the declaration, or the hand-written file as checked in. */
    public String transformSql() {
        return generated ? TransformSql.of(this) : HandWrittenSql.read(transformResource);
    }

    /** Starts a declaration of core.{name} from stg_{source}.{entity}_raw. */
    public static Builder declare(String source, String entity, String name) {
        return new Builder(source, entity, name);
    }

    /**
     * A core step over stg_{source}.{entity}_raw whose statement is hand-written in
     * sql/transforms/{source}/{name}.sql (it must start with {@link #HAND_WRITTEN}); its migration creates its table.
     */
    public static CoreTable handWritten(String source, String entity, String name, String description) {
        return new CoreTable(name, source, entity, "stg_" + source + "." + entity + "_raw",
                "sql/transforms/" + source + "/" + name + ".sql", description, List.of(), List.of(), List.of(), null,
                null, List.of(), false, false);
    }

    /** Columns core stores for the record, after the key (derived ones included, inputs excluded). */
    List<Column> storedColumns() {
        List<Column> out = new ArrayList<>();
        columns.stream().filter(Column::stored).forEach(out::add);
        return out;
    }

    private static final List<String> RESERVED = List.of("scope", "stg_table", "stg_ctid", "stg_id", "blob_path", "line_no",
            "run_id", "read_at", "raw", "problem", "element_position");

    public static final class Builder {
        private final String source;
        private final String entity;
        private final String name;
        private String description = "";
        private final List<Column> key = new ArrayList<>();
        private final List<Column> columns = new ArrayList<>();
        private final List<ArrayField> arrays = new ArrayList<>();
        private final List<ChildTable> children = new ArrayList<>();
        private String versionColumn;
        private String deletedColumn;
        private boolean flagsMissing;

        private Builder(String source, String entity, String name) {
            this.source = source;
            this.entity = entity;
            this.name = name;
        }

        public Builder describe(String text) {
            this.description = text;
            return this;
        }

        public Builder key(Column... cols) {
            key.addAll(List.of(cols));
            return this;
        }

        public Builder columns(Column... cols) {
            columns.addAll(List.of(cols));
            return this;
        }

        public Builder array(ArrayField array) {
            arrays.add(array);
            return this;
        }

        public Builder child(ChildTable child) {
            children.add(child);
            return this;
        }

        /** Versions of a record are ordered by this column (the source's update time), then by lineage. */
        public Builder versionBy(String column) {
            this.versionColumn = column;
            return this;
        }

        public Builder deletedWhen(String column) {
            this.deletedColumn = column;
            return this;
        }

        /**
         * Deleted when a complete read of the stream (unfiltered, every part loaded) no longer has the key, and
         * otherwise when {@code column} says so: for lists that leave deleted records out.
         */
        public Builder deletedWhenMissing(String column) {
            this.deletedColumn = column;
            this.flagsMissing = true;
            return this;
        }

        public CoreTable build() {
            if (key.isEmpty()) {
                throw new IllegalArgumentException("Core table " + name + " needs a key");
            }
            if (flagsMissing && key.stream().anyMatch(Column::isDerived)) {
                // MissingRows reads the keys of a complete read straight from staging, without the typed values
                throw new IllegalArgumentException("Core table " + name + " flags missing rows: its key must be read, "
                        + "not derived");
            }
            List<String> names = new ArrayList<>();
            key.forEach(c -> names.add(c.name()));
            columns.forEach(c -> names.add(c.name()));
            arrays.forEach(a -> names.add(a.name()));
            checkNames(names);
            children.forEach(this::checkChild);
            checkNamed(versionColumn, names, "version column");
            checkNamed(deletedColumn, names, "deleted column");
            return new CoreTable(name, source, entity, "stg_" + source + "." + entity + "_raw",
                    "sql/transforms/" + source + "/" + name + ".sql", description, List.copyOf(key),
                    List.copyOf(columns), List.copyOf(arrays), versionColumn, deletedColumn, List.copyOf(children),
                    true, flagsMissing);
        }

        /** The transform keeps lineage, texts and array facts next to the columns: their names must stay free. */
        private void checkNames(List<String> names) {
            List<String> internal = new ArrayList<>(RESERVED);
            if (flagsMissing) {
                MISSING_COLUMNS.forEach(d -> internal.add(d.split(" ")[0]));
            }
            key.stream().filter(Column::isCast).forEach(c -> internal.add(c.readAs()));
            columns.stream().filter(Column::isCast).forEach(c -> internal.add(c.readAs()));
            for (ArrayField a : arrays) {
                internal.addAll(List.of(a.name() + "_type", a.countColumn()));
                a.sums().forEach(x -> internal.addAll(List.of(x.name() + "_0", x.name() + "_1", x.name() + "_2")));
            }
            children.forEach(c -> internal.addAll(List.of(c.arrayColumn(), c.arrayColumn() + "_type")));
            for (String n : names) {
                if (!n.matches("[a-z_][a-z0-9_]*") || internal.contains(n)) {
                    throw new IllegalArgumentException("Core table " + name + ": '" + n + "' cannot name a column "
                            + "(lower-case letters, digits and _; not one of " + internal + ")");
                }
                if (names.indexOf(n) != names.lastIndexOf(n)) {
                    throw new IllegalArgumentException("Core table " + name + ": column '" + n + "' is declared twice");
                }
            }
        }

        /** A child row holds the parent's scope and key, its own key and columns, and is_deleted. */
        private void checkChild(ChildTable child) {
            List<String> names = new ArrayList<>(List.of("scope", "is_deleted"));
            key.forEach(c -> names.add(c.name()));
            child.key().forEach(c -> names.add(c.name()));
            child.columns().forEach(c -> names.add(c.name()));
            for (String n : names) {
                if (names.indexOf(n) != names.lastIndexOf(n) || RESERVED.contains(n) && !n.equals("scope")) {
                    throw new IllegalArgumentException("Child table " + child.name() + ": '" + n + "' is the "
                            + "parent's key, scope, is_deleted, declared twice or one of " + RESERVED);
                }
            }
        }

        private void checkNamed(String column, List<String> names, String what) {
            if (column != null && !names.contains(column)) {
                throw new IllegalArgumentException("Core table " + name + ": " + what + " '" + column
                        + "' is not one of its columns " + names);
            }
        }
    }
}
