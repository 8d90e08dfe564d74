package dev.agentsaga.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.webmvc.autoconfigure.DispatcherServletAutoConfiguration;
import org.springframework.boot.webmvc.autoconfigure.WebMvcAutoConfiguration;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;

import dev.agentsaga.InvalidSagaStateException;
import dev.agentsaga.Page;
import dev.agentsaga.Reversibility;
import dev.agentsaga.SagaComparison;
import dev.agentsaga.SagaCoordinator;
import dev.agentsaga.SagaFleet;
import dev.agentsaga.SagaNotFoundException;
import dev.agentsaga.SagaStatus;
import dev.agentsaga.SagaView;
import dev.agentsaga.StepKind;
import dev.agentsaga.StepStatus;
import dev.agentsaga.autoconfigure.actuate.PayloadRedactor;

/**
 * A saga's parent, fork origin and children on its page, and the page that compares two sagas, rendered from
 * views the coordinator answers: links, escaping and masking.
 */
class LineageAndComparePagesTest {

    private final SagaCoordinator coordinator = coordinator();

    private final WebApplicationContextRunner runner = new WebApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(AgentSagaDashboardAutoConfiguration.class,
                    DispatcherServletAutoConfiguration.class, WebMvcAutoConfiguration.class))
            .withBean(SagaCoordinator.class, () -> coordinator)
            .withPropertyValues("agent.saga.dashboard.enabled=true", "agent.saga.endpoint.redact=password,card");

    @Test
    void showsTheChildrenOfASagaAsATreeWithTheStepThatStartedEach() {
        SagaView tour = Journals.saga("tour-1")
                .step("trip", StepKind.CHILD, Reversibility.COMPENSABLE, StepStatus.SUCCEEDED, 0, 100L, "\"Porto\"", "\"ok\"")
                .step("trip", StepKind.CHILD, Reversibility.COMPENSABLE, StepStatus.STARTED, 10, null, "\"Rome\"", null)
                .children(new SagaView.Child("tour-1:1", 1, "trip", SagaStatus.COMPLETED, List.of()),
                        new SagaView.Child("tour-1:2", 2, "groupTrip", SagaStatus.WAITING, List.of(
                                new SagaView.Child("tour-1:2:1", 1, "trip", SagaStatus.RUNNING, List.of()))))
                .as(SagaStatus.WAITING, 100, null, null);
        when(coordinator.find("tour-1")).thenReturn(Optional.of(tour));

        page("/agent-saga/sagas/tour-1", html -> {
            assertThat(html).contains("id=\"lineage\"");
            assertThat(html).contains("<li data-id=\"tour-1:1\" data-step=\"1\">")
                    .contains("<li data-id=\"tour-1:2\" data-step=\"2\">")
                    .contains("<li data-id=\"tour-1:2:1\" data-step=\"1\">");
            assertThat(html).containsPattern("(?s)data-id=\"tour-1:2\".*<ul class=\"tree\">.*data-id=\"tour-1:2:1\"");
            assertThat(html).contains("href=\"/agent-saga/sagas/tour-1:2:1\"")
                    .contains("href=\"/agent-saga/sagas/tour-1:2#step-1\"")
                    .contains("href=\"/agent-saga/sagas/tour-1#step-2\"");
            assertThat(html).contains("status-running").contains("groupTrip");
            assertThat(html).doesNotContain("Forked from").doesNotContain("Child saga of");
        });
    }

    @Test
    void linksEachChildStepOfTheTimelineAndTheStepsToItsChild() {
        SagaView tour = Journals.saga("tour-2")
                .step("trip", StepKind.CHILD, Reversibility.COMPENSABLE, StepStatus.SUCCEEDED, 0, 100L, "\"Porto\"", "\"ok\"")
                .children(new SagaView.Child("tour-2:1", 1, "trip", SagaStatus.COMPLETED, List.of()))
                .as(SagaStatus.COMPLETED, 100, null, null);
        when(coordinator.find("tour-2")).thenReturn(Optional.of(tour));

        page("/agent-saga/sagas/tour-2", html -> {
            assertThat(html).containsPattern("(?s)<g class=\"row\" data-seq=\"1\" data-kind=\"child\">.*"
                    + "<a class=\"child\" href=\"/agent-saga/sagas/tour-2:1\">");
            assertThat(html).containsPattern("(?s)<tr id=\"step-1\".*class=\"child-link\">→ <a class=\"mono\" "
                    + "href=\"/agent-saga/sagas/tour-2:1\">tour-2:1</a>");
            assertThat(html).contains("bar step kind-child");
        });
    }

    @Test
    void showsTheParentOfAChildAndTheStepThatStartedIt() {
        SagaView child = Journals.saga("tour-3:2").childOf("tour-3", 2)
                .step("bookHotel", StepKind.ACTION, Reversibility.COMPENSABLE, StepStatus.SUCCEEDED, 0, 10L, "{}", "{}")
                .as(SagaStatus.COMPLETED, 10, null, null);
        when(coordinator.find("tour-3:2")).thenReturn(Optional.of(child));

        page("/agent-saga/sagas/tour-3:2", html -> {
            assertThat(html).containsPattern("(?s)class=\"parent\">Child saga of\\s*<a class=\"mono\" "
                    + "href=\"/agent-saga/sagas/tour-3\">tour-3</a>");
            assertThat(html).contains("href=\"/agent-saga/sagas/tour-3#step-2\">#2</a>");
            assertThat(html).containsPattern("(?s)class=\"crumbs\">.*href=\"/agent-saga/sagas/tour-3\"");
        });
    }

    @Test
    void showsWhatAForkWasForkedFromMarksTheStepsItInheritedAndLinksTheComparison() {
        SagaView fork = Journals.saga("fork-1").forkOf("trip-9", 3)
                .step("model", StepKind.LLM, null, StepStatus.SUCCEEDED, 0, 10L, null, "{}")
                .step("searchFlights", StepKind.ACTION, Reversibility.READ_ONLY, StepStatus.SUCCEEDED, 10, 20L, "{}", "[]")
                .step("model", StepKind.LLM, null, StepStatus.SUCCEEDED, 30, 40L, null, "{}")
                .as(SagaStatus.COMPLETED, 40, null, null);
        when(coordinator.find("fork-1")).thenReturn(Optional.of(fork));

        page("/agent-saga/sagas/fork-1", html -> {
            assertThat(html).containsPattern("(?s)class=\"fork\">Forked from\\s*<a class=\"mono\" "
                    + "href=\"/agent-saga/sagas/trip-9\">trip-9</a>");
            assertThat(html).contains("href=\"/agent-saga/sagas/trip-9#step-3\">#3</a>")
                    .contains("steps 1 to 2 are the source&#39;s");
            assertThat(html).contains("<a class=\"compare\" href=\"/agent-saga/compare?a=trip-9&amp;b=fork-1\">"
                    + "Compare with source</a>");
            assertThat(html).containsPattern("(?s)id=\"step-1\".*class=\"tag inherited\".*id=\"step-2\".*"
                    + "class=\"tag inherited\".*id=\"step-3\"");
            assertThat(html.substring(html.indexOf("id=\"step-3\""))).doesNotContain("tag inherited");
        });
    }

    @Test
    void leavesTheLineageOutOfASagaThatHasNone() {
        SagaView plain = Journals.saga("plain-1")
                .step("bookHotel", StepKind.ACTION, Reversibility.COMPENSABLE, StepStatus.SUCCEEDED, 0, 10L, "{}", "{}")
                .as(SagaStatus.COMPLETED, 10, null, null);
        when(coordinator.find("plain-1")).thenReturn(Optional.of(plain));

        page("/agent-saga/sagas/plain-1", html -> assertThat(html).doesNotContain("id=\"lineage\""));
    }

    @Test
    void comparesTwoSagasWithTheDifferingStepsSideBySideMaskedAndEscaped() {
        when(coordinator.compare("trip-9", "fork-1")).thenReturn(comparison());

        page("/agent-saga/compare?a=trip-9&b=fork-1", html -> {
            assertThat(html).contains("data-diverged-at=\"2\"").contains("The journals part at step")
                    .contains("<b>#2</b>").contains("2 steps differ").contains("B is a fork of A");
            assertThat(html).contains("data-side=\"a\" data-id=\"trip-9\"").contains("data-side=\"b\" data-id=\"fork-1\"");
            assertThat(html).contains("status-failed").contains("status-completed");
            assertThat(html).contains("No airport serves Avalon");
            assertThat(html).contains(">1,240</b>").contains("1,000 in / 240 out");
            assertThat(html).contains("<tr data-seq=\"2\">").contains("<tr data-seq=\"3\">")
                    .contains("no step: its journal ends before");
            assertThat(html).contains("href=\"/agent-saga/sagas/fork-1#step-3\"");
            assertThat(html).contains("bookFlight").contains("&quot;flight&quot; : &quot;TP906&quot;")
                    .contains("&quot;card&quot; : &quot;" + PayloadRedactor.MASK + "&quot;");
            assertThat(html).doesNotContain("visa-4242").doesNotContain("<script>alert")
                    .contains("&lt;script&gt;alert(1)&lt;/script&gt;");
            assertThat(html).contains("data-finished=\"true\"");
        });
    }

    @Test
    void answersNotFoundBadRequestOrTheEnginesReasonWhenTwoSagasCannotBeCompared() {
        when(coordinator.compare("trip-9", "gone")).thenThrow(new SagaNotFoundException("No saga has the id 'gone'",
                "gone"));
        when(coordinator.compare("trip-9", "payout-1")).thenThrow(new InvalidSagaStateException(
                "Sagas trip-9 and payout-1 run different workflows ('trip' and 'payout'); compare two sagas of one "
                        + "workflow", "trip-9"));
        runner.run(context -> {
            MockMvc mvc = MockMvcBuilders.webAppContextSetup(context).build();

            String missing = mvc.perform(get("/agent-saga/compare?a=trip-9&b=gone")).andExpect(status().isNotFound())
                    .andReturn().getResponse().getContentAsString();
            String workflows = mvc.perform(get("/agent-saga/compare?a=trip-9&b=payout-1"))
                    .andExpect(status().isBadRequest()).andReturn().getResponse().getContentAsString();
            mvc.perform(get("/agent-saga/compare?a=trip-9")).andExpect(status().isBadRequest());

            assertThat(missing).contains("No saga has the id &#39;gone&#39;.");
            assertThat(workflows).contains("run different workflows");
        });
    }

    private static SagaComparison comparison() {
        SagaComparison.Side a = new SagaComparison.Side("trip-9", "1", SagaStatus.FAILED, null,
                "Step 2 (searchFlights) failed: No airport serves Avalon", null, null, 2, 300, 40);
        SagaComparison.Side b = new SagaComparison.Side("fork-1", "1", SagaStatus.COMPLETED,
                "\"Booked <script>alert(1)</script>\"", null, "trip-9", 2, 3, 1000, 240);
        SagaComparison.StepDifference searched = new SagaComparison.StepDifference(2,
                new SagaComparison.Entry("searchFlights", StepKind.ACTION, StepStatus.FAILED, "{\"to\":\"Avalon\"}",
                        null, "{\"type\":\"IllegalStateException\",\"message\":\"No airport serves Avalon\"}", null,
                        null),
                new SagaComparison.Entry("searchFlights", StepKind.ACTION, StepStatus.SUCCEEDED, "{\"to\":\"Avalon\"}",
                        "[{\"flight\":\"TP906\"}]", null, null, null),
                List.of(), List.of());
        SagaComparison.StepDifference turn = new SagaComparison.StepDifference(3, null,
                new SagaComparison.Entry("model", StepKind.LLM, StepStatus.SUCCEEDED, null, "{\"text\":\"\"}", null,
                        500, 60),
                List.of(), List.of(new SagaComparison.ToolCall("bookFlight",
                        "{\"flight\":\"TP906\",\"card\":\"visa-4242\"}")));
        return new SagaComparison(a, b, 2, List.of(searched, turn));
    }

    private void page(String path, Consumer<String> check) {
        runner.run(context -> {
            MockMvc mvc = MockMvcBuilders.webAppContextSetup(context).build();

            String html = mvc.perform(get(path)).andExpect(status().isOk()).andReturn().getResponse()
                    .getContentAsString();

            check.accept(html);
        });
    }

    private static SagaCoordinator coordinator() {
        SagaCoordinator coordinator = mock(SagaCoordinator.class);
        when(coordinator.list(any())).thenReturn(new Page<>(List.of(), 0, 1, 0));
        when(coordinator.find(anyString())).thenReturn(Optional.empty());
        when(coordinator.fleet()).thenReturn(new SagaFleet(Instant.EPOCH, List.of(), List.of()));
        return coordinator;
    }
}
