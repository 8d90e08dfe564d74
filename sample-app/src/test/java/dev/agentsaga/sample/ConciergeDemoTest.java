package dev.agentsaga.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * {@code --demo=concierge}, as the README runs it (on an H2 file in a temporary directory): the scripted
 * model is labelled, the happy path completes, the refused room charge is undone newest first.
 */
@ExtendWith(OutputCaptureExtension.class)
class ConciergeDemoTest {

    @Test
    void theConciergeDemoPrintsTheHappyPathAndTheUndoneEvening(@TempDir Path dir, CapturedOutput output) {
        String url = "jdbc:h2:file:" + dir.resolve("concierge").toAbsolutePath()
                + ";MODE=PostgreSQL;DEFAULT_NULL_ORDERING=HIGH;WRITE_DELAY=0;TRACE_LEVEL_FILE=0";

        try (ConfigurableApplicationContext app = new SpringApplicationBuilder(SampleApplication.class)
                .web(WebApplicationType.NONE)
                .run("--demo=concierge", "--spring.datasource.url=" + url, "--sample.model=scripted",
                        "--logging.level.dev.agentsaga=WARN")) {

            assertThat(output).contains("agent-saga sample: a hotel concierge agent")
                    .contains("model: [scripted model] SCRIPTED")
                    .contains("=== 1. Happy path")
                    .contains("status: COMPLETED")
                    .contains("answer: [scripted model] Arranged: a table for 2 at Tasca do Largo")
                    .contains("=== 2. Room " + TravelProviders.CHECKED_OUT_ROOM + " has checked out")
                    .contains("status: COMPENSATED")
                    .contains("compensations in the order they ran: buyTickets, then reserve_table")
                    .contains("COMPENSATED: cancel_reservation (MCP)")
                    .contains("=== 3. A crash after the tickets were bought, then a resume")
                    .contains("Run the demo with --crash-after=buyTickets");
        }
    }
}
