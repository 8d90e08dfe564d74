package dev.agentsaga.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * docs/configuration.md lists exactly the agent.saga.dashboard properties of the dashboard's configuration
 * metadata (the other agent.saga properties are checked against the auto-configuration's metadata).
 */
class DashboardConfigurationReferenceTest {

    private static final String PREFIX = "agent.saga.dashboard.";

    @Test
    void referenceListsEveryDashboardPropertyAndNoOther() throws IOException {
        List<String> documented = new ArrayList<>();
        Matcher row = Pattern.compile("^\\| `(agent\\.saga\\.dashboard\\.[a-z.-]+)` \\|", Pattern.MULTILINE)
                .matcher(Files.readString(Path.of("..", "docs", "configuration.md")));
        while (row.find()) {
            documented.add(row.group(1));
        }

        List<String> generated = new ArrayList<>();
        for (URL url : Collections.list(getClass().getClassLoader().getResources("META-INF/spring-configuration-metadata.json"))) {
            try (InputStream metadata = url.openStream()) {
                JsonMapper.builder().build().readTree(metadata).get("properties").forEach((JsonNode property) -> {
                    String name = property.get("name").asString();
                    if (name.startsWith(PREFIX)) {
                        generated.add(name);
                    }
                });
            }
        }

        assertThat(generated).isNotEmpty();
        assertThat(documented).containsExactlyInAnyOrderElementsOf(generated);
    }
}
