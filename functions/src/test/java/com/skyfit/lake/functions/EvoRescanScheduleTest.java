package com.skyfit.lake.functions;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.TimerTrigger;
import com.skyfit.lake.config.Settings;
import com.skyfit.lake.orchestrations.IngestInput;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The EVO re-scan timer: its trigger, and a full load of the source named evo on EVO_RESCAN_SCHEDULE. */
class EvoRescanScheduleTest {

    @AfterEach
    void reset() {
        EngineProvider.reset();
    }

    @Test
    void firesOnItsOwnScheduleSetting() {
        Method run = Arrays.stream(EvoRescanSchedule.class.getDeclaredMethods())
                .filter(m -> m.isAnnotationPresent(FunctionName.class)).findFirst().orElseThrow();
        assertThat(run.getAnnotation(FunctionName.class).value()).isEqualTo("EvoRescanSchedule");
        Parameter trigger = Arrays.stream(run.getParameters())
                .filter(p -> p.isAnnotationPresent(TimerTrigger.class)).findFirst().orElseThrow();
        assertThat(trigger.getAnnotation(TimerTrigger.class).schedule())
                .isEqualTo("%" + FunctionSettings.rescanScheduleKey("evo") + "%").isEqualTo("%EVO_RESCAN_SCHEDULE%");
    }

    @Test
    void startsAFullLoadOfTheMembersOfEveryScope() {
        EngineProvider.use(Settings.of(Map.of("EVO_SCOPES", "gym_a,gym_b", "EVO_RESCAN_SCHEDULE", "0 0 2 * * 0",
                "EVO_RESCAN_ENTITIES", "members")), new FakeEngine());
        FakeDurableClient client = new FakeDurableClient();

        new EvoRescanSchedule().run("{}", client.context(), FakeHttp.context("EvoRescanSchedule"));

        assertThat(client.scheduled).singleElement().satisfies(s -> {
            assertThat(s.instanceId()).matches("ingest-evo-rescan-\\d{8}T\\d{4}Z");
            IngestInput in = (IngestInput) s.input();
            assertThat(in.source()).isEqualTo("evo");
            assertThat(in.loadType()).isEqualTo("full");
            assertThat(in.scopes()).containsExactly("gym_a", "gym_b");
            assertThat(in.entities()).containsExactly("members");
        });
    }

    @Test
    void withoutEntitiesSetItReScansOnlyTheEntitiesThatDeclareARescanNeverEntries() {
        EngineProvider.use(Settings.of(Map.of("EVO_SCOPES", "gym_a", "EVO_RESCAN_SCHEDULE", "0 0 8 * * 6")),
                new FakeEngine());
        FakeDurableClient client = new FakeDurableClient();

        new EvoRescanSchedule().run("{}", client.context(), FakeHttp.context("EvoRescanSchedule"));

        List<String> declared = com.skyfit.lake.source.evo.EvoSource.DEFINITION.streams().stream()
                .filter(s -> s.windows() != null && s.windows().rescanEvery() != null)
                .map(com.skyfit.lake.source.StreamSpec::entity).toList();
        assertThat(declared).contains("members");
        assertThat(client.scheduled).singleElement().satisfies(s -> {
            IngestInput in = (IngestInput) s.input();
            assertThat(in.entities()).isEqualTo(declared).contains("members")
                    .doesNotContain("entries", "receivables", "branches", "employees");
        });
    }

    @Test
    void startsNothingWhileItsScheduleIsUnsetOrTheSourceIsOff() {
        EngineProvider.use(Settings.of(Map.of("EVO_SCOPES", "gym_a")), new FakeEngine());
        FakeDurableClient unset = new FakeDurableClient();
        new EvoRescanSchedule().run("{}", unset.context(), FakeHttp.context("EvoRescanSchedule"));
        assertThat(unset.scheduled).isEmpty();

        EngineProvider.use(Settings.of(Map.of("EVO_RESCAN_SCHEDULE", "0 0 2 * * 0")), new FakeEngine());
        FakeDurableClient off = new FakeDurableClient();
        new EvoRescanSchedule().run("{}", off.context(), FakeHttp.context("EvoRescanSchedule"));
        assertThat(off.scheduled).isEmpty();
    }
}
