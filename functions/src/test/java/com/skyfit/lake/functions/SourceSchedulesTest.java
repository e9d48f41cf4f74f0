package com.skyfit.lake.functions;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.TimerTrigger;
import com.skyfit.lake.config.SourceKeys;
import com.skyfit.lake.source.Sources;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Every registered source has its timer, {Source}Schedule on {SOURCE}_SCHEDULE, built on the shared pattern. */
class SourceSchedulesTest {

    @Test
    void everyRegisteredSourceHasOneTimerOnItsScheduleSetting() throws Exception {
        for (String source : Sources.names()) {
            String name = Character.toUpperCase(source.charAt(0)) + source.substring(1) + "Schedule";
            Class<?> timer = Class.forName("com.skyfit.lake.functions." + name);
            assertThat(SourceSchedule.class).as(name).isAssignableFrom(timer);
            Method run = Arrays.stream(timer.getDeclaredMethods())
                    .filter(m -> m.isAnnotationPresent(FunctionName.class)).findFirst().orElseThrow();
            assertThat(run.getAnnotation(FunctionName.class).value()).isEqualTo(name);
            Parameter trigger = Arrays.stream(run.getParameters())
                    .filter(p -> p.isAnnotationPresent(TimerTrigger.class)).findFirst().orElseThrow();
            assertThat(trigger.getAnnotation(TimerTrigger.class).schedule())
                    .isEqualTo("%" + SourceKeys.of(source).schedule() + "%");
        }
    }
}
