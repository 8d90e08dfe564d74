package dev.agentsaga.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * docs/configuration.md lists exactly the agent.saga properties of the generated configuration metadata; the
 * dashboard's ({@code agent.saga.dashboard.*}) are checked by the dashboard module against its own metadata.
 */
class ConfigurationReferenceTest {

    private static final String DASHBOARD = "agent.saga.dashboard.";

    @Test
    void referenceListsEveryPropertyOfTheMetadataAndNoOther() throws IOException {
        List<String> documented = new ArrayList<>();
        Matcher row = Pattern.compile("^\\| `(agent\\.saga\\.[a-z.-]+)` \\|", Pattern.MULTILINE)
                .matcher(Files.readString(Path.of("..", "docs", "configuration.md")));
        while (row.find()) {
            if (!row.group(1).startsWith(DASHBOARD)) {
                documented.add(row.group(1));
            }
        }

        List<String> generated = new ArrayList<>();
        try (InputStream metadata = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
            JsonNode properties = JsonMapper.builder().build().readTree(metadata).get("properties");
            properties.forEach(property -> {
                String name = property.get("name").asString();
                if (name.startsWith("agent.saga.")) {
                    generated.add(name);
                }
            });
        }

        assertThat(generated).isNotEmpty();
        assertThat(documented).containsExactlyInAnyOrderElementsOf(generated);
    }
}
