package com.skyfit.lake.source;

import java.util.List;

/** A source as data: its name, its streams and the table that says what each HTTP answer means. */
public record SourceDefinition(String name, List<StreamSpec> streams, ErrorTable errors) {
    public SourceDefinition {
        streams = List.copyOf(streams);
    }

    public List<String> entities() {
        return streams.stream().map(StreamSpec::entity).toList();
    }

    public StreamSpec stream(String entity) {
        return streams.stream().filter(s -> s.entity().equals(entity)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(
                        "source " + name + " has no entity '" + entity + "'; it has " + entities()));
    }
}
