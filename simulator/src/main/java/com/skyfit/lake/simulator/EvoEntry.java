package com.skyfit.lake.simulator;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.util.Comparator;

/**
 * One gym entry, held compactly (an entries day of a large gym network is thousands of them). Ids of 0 stand for
 * null. EVO entries have no id: the API orders them by date, then branch, then member.
 */
record EvoEntry(long at, long idMember, long idProspect, int idBranch, byte type, byte device, byte block) {
    static final String[] TYPES = {"Membership", "Gympass", "Totalpass", "DayUse", "Prospect"};
    static final String[] DEVICES = {"Turnstile 1", "Turnstile 2", "Turnstile 3", "Reception"};
    static final String[] BLOCKS = {null, "Membership expired", "Pending payment", "Outside allowed hours"};

    static final Comparator<EvoEntry> ORDER = Comparator.comparingLong((EvoEntry e) -> e.at())
            .thenComparingInt(EvoEntry::idBranch).thenComparingLong(EvoEntry::idMember)
            .thenComparingLong(EvoEntry::idProspect).thenComparingInt(EvoEntry::type)
            .thenComparingInt(EvoEntry::device);

    /** The fields the lake keys an entry on, folded into one number to find exact repeats while generating. */
    long identity() {
        return EvoRandom.mix(at * 31 + idBranch, idMember * 31 + idProspect, type * 16L + device);
    }

    EvoEntry at(long second) {
        return new EvoEntry(second, idMember, idProspect, idBranch, type, device, block);
    }

    void write(JsonGenerator g) throws IOException {
        g.writeStartObject();
        g.writeStringField("date", EvoTime.text(at));
        id(g, "idMember", idMember);
        id(g, "idProspect", idProspect);
        g.writeNumberField("idBranch", idBranch);
        g.writeStringField("entryType", TYPES[type]);
        g.writeStringField("device", DEVICES[device]);
        g.writeStringField("blockReason", BLOCKS[block]);
        g.writeNullField("releasedBy");
        g.writeEndObject();
    }

    private static void id(JsonGenerator g, String name, long id) throws IOException {
        if (id == 0) {
            g.writeNullField(name);
        } else {
            g.writeNumberField(name, id);
        }
    }
}
