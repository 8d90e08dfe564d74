package dev.agentsaga.autoconfigure.actuate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class PayloadRedactorTest {

    private final PayloadRedactor redactor = new PayloadRedactor(List.of("password", "api-key"));

    @Test
    void masksListedFieldsAtAnyDepthIgnoringCaseAndSeparators() {

        Object redacted = redactor.redact("{\"user\": {\"name\": \"Ada\", \"API_KEY\": \"k-1\"}, \"password\": \"pw\"}");

        assertThat(redacted).isEqualTo(Map.of("user", Map.of("name", "Ada", "API_KEY", PayloadRedactor.MASK),
                "password", PayloadRedactor.MASK));
    }

    @Test
    void masksInsideTextThatHoldsJsonAndKeepsItText() {
        String response = "{\"toolCalls\": [{\"name\": \"bookRoom\", "
                + "\"arguments\": \"{\\\"hotel\\\": \\\"Sacher\\\", \\\"password\\\": \\\"room-safe-1234\\\"}\"}]}";

        Object redacted = redactor.redact(response);

        Object arguments = ((Map<?, ?>) ((List<?>) ((Map<?, ?>) redacted).get("toolCalls")).get(0)).get("arguments");
        assertThat(arguments).isEqualTo("{\"hotel\":\"Sacher\",\"password\":\"" + PayloadRedactor.MASK + "\"}");
    }

    @Test
    void leavesTextAsItIsWhenItHoldsNothingToMask() {
        String text = "{ \"hotel\": \"Sacher\" }";

        Object redacted = redactor.redact("{\"arguments\": \"{ \\\"hotel\\\": \\\"Sacher\\\" }\", \"note\": \"{not json}\"}");

        assertThat(redacted).isEqualTo(Map.of("arguments", text, "note", "{not json}"));
    }

    @Test
    void masksTextThatIsNotJsonWhole() {

        assertThat(redactor.redact("not json")).isEqualTo(PayloadRedactor.MASK);
        assertThat(redactor.redact(null)).isNull();
    }
}
