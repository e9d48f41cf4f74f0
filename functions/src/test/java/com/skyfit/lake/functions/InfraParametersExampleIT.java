package com.skyfit.lake.functions;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** infra/main.parameters.example.json, which docs/deploy.md tells operators to copy, fits infra/main.bicep. */
class InfraParametersExampleIT {

    @Test
    void theExampleNamesOnlyDeclaredParametersAndEveryRequiredOne() throws Exception {
        JsonNode declared = BicepModel.load().file("main.bicep").path("params");
        JsonNode example = ActivityInput.JSON.readTree(BicepModel.INFRA.resolve("main.parameters.example.json").toFile())
                .path("parameters");

        Set<String> given = new TreeSet<>(BicepModel.names(example));
        assertThat(BicepModel.names(declared)).containsAll(given);
        Set<String> required = new TreeSet<>();
        for (String name : BicepModel.names(declared)) {
            if (!declared.get(name).has("default")) {
                required.add(name);
            }
        }
        assertThat(given).containsAll(required);
        for (String name : given) {
            if (declared.get(name).path("decorators").has("secure")) {
                throw new AssertionError("the example must not carry the secure parameter " + name);
            }
        }
    }
}
