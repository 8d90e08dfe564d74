package dev.agentsaga.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.ResultMatcher;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;
import org.springframework.web.context.WebApplicationContext;

import dev.agentsaga.ForkOverrides;
import dev.agentsaga.SagaCoordinator;
import dev.agentsaga.SagaStatus;
import dev.agentsaga.autoconfigure.actuate.PayloadRedactor;
import dev.agentsaga.dashboard.app.GroupTripWorkflow;
import dev.agentsaga.dashboard.app.PayoutWorkflow;
import dev.agentsaga.dashboard.app.TravelActions.Transfer;
import dev.agentsaga.dashboard.app.TravelDesk;
import dev.agentsaga.dashboard.app.TravelDeskApplication;
import dev.agentsaga.dashboard.app.TripWorkflow;
import dev.agentsaga.test.AutoConfigureSagaTest;
import dev.agentsaga.test.SagaTester;

/**
 * The pages of child sagas and forks over a real engine on PostgreSQL: a group trip whose trips are child
 * sagas, a trip that failed because an airport was closed, and its fork once the airport opened, compared with
 * it. The travel agent's passenger and card are masked by the endpoint's redact property.
 */
@SpringBootTest(classes = TravelDeskApplication.class, webEnvironment = WebEnvironment.MOCK, properties = {
        "agent.saga.dashboard.enabled=true",
        "agent.saga.endpoint.redact=passenger,card" })
@AutoConfigureSagaTest(database = AutoConfigureSagaTest.Database.POSTGRESQL)
@DirtiesContext
class ChildrenAndForksPagesTest {

    private static final String GOALS = "2 nights in Porto at Casa Azul, card visa-4242 + "
            + "3 nights in Madrid at Hotel Prado, card visa-4242";

    @Autowired
    private WebApplicationContext context;

    @Autowired
    private SagaCoordinator sagas;

    @Autowired
    private SagaTester tester;

    @Autowired
    private TravelDesk desk;

    private MockMvc mvc;

    @DynamicPropertySource
    static void quickEngine(DynamicPropertyRegistry registry) {
        TestApplicationProperties.register(registry);
    }

    @BeforeEach
    void connect() {
        mvc = MockMvcBuilders.webAppContextSetup(context).build();
    }

    @Test
    void aGroupTripShowsItsTripsAsChildrenAndEachTripItsParent() throws Exception {
        String id = "group-0601";
        sagas.start(GroupTripWorkflow.NAME, GOALS, id);
        tester.awaitStatus(id + ":1", SagaStatus.WAITING);
        tester.awaitStatus(id + ":2", SagaStatus.WAITING);
        tester.awaitStatus(id, SagaStatus.WAITING);

        String parent = page("/agent-saga/sagas/" + id);
        String child = page("/agent-saga/sagas/" + id + ":2");

        assertThat(parent).containsPattern("(?s)<li data-id=\"group-0601:1\" data-step=\"1\">\\s*"
                + "<span class=\"status status-waiting\">WAITING</span>\\s*"
                + "<a class=\"mono\" href=\"/agent-saga/sagas/group-0601:1\">group-0601:1</a>");
        assertThat(parent).contains("<li data-id=\"group-0601:2\" data-step=\"2\">")
                .contains("href=\"/agent-saga/sagas/group-0601#step-2\">#2</a>");
        assertThat(parent).contains("<a class=\"child\" href=\"/agent-saga/sagas/group-0601:1\">")
                .contains("<a class=\"child\" href=\"/agent-saga/sagas/group-0601:2\">");
        assertThat(parent).containsPattern("(?s)id=\"step-2\".*class=\"child-link\">→ <a class=\"mono\" "
                + "href=\"/agent-saga/sagas/group-0601:2\">");
        assertThat(child).containsPattern("(?s)Child saga of\\s*<a class=\"mono\" href=\"/agent-saga/sagas/group-0601\">")
                .contains("href=\"/agent-saga/sagas/group-0601#step-2\">#2</a>");
        assertThat(child).contains("3 nights in Madrid").doesNotContain("Forked from").doesNotContain("tag inherited");
    }

    @Test
    void aGroupTripShowsItsChildrenCompletedOnceTheirApprovalsCame() throws Exception {
        String id = "group-0602";
        sagas.start(GroupTripWorkflow.NAME, GOALS, id);
        for (String child : new String[] { id + ":1", id + ":2" }) {
            tester.awaitStatus(child, SagaStatus.WAITING);
            sagas.signal(child, "approval:sendConfirmation", Map.of("approved", true, "by", "maria", "reason", "ok"));
        }

        tester.awaitStatus(id, SagaStatus.COMPLETED);
        String parent = page("/agent-saga/sagas/" + id);

        assertThat(parent).containsPattern("(?s)<li data-id=\"group-0602:1\" data-step=\"1\">\\s*"
                + "<span class=\"status status-completed\">COMPLETED</span>");
        assertThat(parent).containsPattern("(?s)<li data-id=\"group-0602:2\" data-step=\"2\">\\s*"
                + "<span class=\"status status-completed\">COMPLETED</span>");
        assertThat(parent).contains("data-finished=\"true\"");
    }

    @Test
    void aForkShowsItsSourceTheStepsItInheritedAndComparesWithItsSource() throws Exception {
        String source = "trip-avalon-0603";
        sagas.start(TripWorkflow.NAME, "A week in Avalon", source);
        tester.awaitStatus(source, SagaStatus.FAILED);
        desk.openAirport("Avalon");
        String fork = sagas.fork(source, 2, ForkOverrides.none()).id();
        tester.awaitStatus(fork, SagaStatus.WAITING);

        String forkPage = page("/agent-saga/sagas/" + fork);
        String compare = page("/agent-saga/compare?a=" + source + "&b=" + fork);

        assertThat(forkPage).containsPattern("(?s)Forked from\\s*<a class=\"mono\" href=\"/agent-saga/sagas/"
                + source + "\">" + source + "</a> at step\\s*<a href=\"/agent-saga/sagas/" + source + "#step-2\">#2</a>");
        assertThat(forkPage).contains("href=\"/agent-saga/compare?a=" + source + "&amp;b=" + fork + "\">Compare with "
                + "source</a>");
        assertThat(forkPage).containsPattern("(?s)id=\"step-1\".*class=\"tag inherited\".*id=\"step-2\"");
        assertThat(forkPage.substring(forkPage.indexOf("id=\"step-2\""))).doesNotContain("class=\"tag inherited\"");

        assertThat(compare).contains("data-diverged-at=\"2\"").contains("B is a fork of A");
        assertThat(compare).containsPattern("(?s)<article class=\"panel side\" data-side=\"a\" data-id=\"" + source
                + "\">.*status-failed.*No airport serves Avalon");
        assertThat(compare).containsPattern("(?s)<article class=\"panel side\" data-side=\"b\" data-id=\"" + fork
                + "\">.*status-waiting");
        assertThat(compare).containsPattern("(?s)<tr data-seq=\"2\">.*data-side=\"a\">.*searchFlights.*FAILED.*"
                + "data-side=\"b\">.*searchFlights.*SUCCEEDED");
        assertThat(compare).containsPattern("(?s)<tr data-seq=\"3\">.*no step: its journal ends before.*"
                + "<b class=\"mono\">bookFlight</b>");
        assertThat(compare).contains("&quot;passenger&quot; : &quot;" + PayloadRedactor.MASK + "&quot;");
        assertThat(compare).doesNotContain("Ana Silva").doesNotContain("visa-4242");
        assertThat(compare).contains("data-finished=\"false\"");
    }

    @Test
    void twoSagasOfDifferentWorkflowsAreNotCompared() throws Exception {
        String trip = "trip-atlantis-0604";
        String payout = "payout-0605";
        sagas.start(TripWorkflow.NAME, "A week in Atlantis", trip);
        sagas.start(PayoutWorkflow.NAME, new Transfer("PT50 0002 0123 1234 5678 9015 4", 100), payout);
        tester.awaitStatus(trip, SagaStatus.FAILED);

        String answer = page("/agent-saga/compare?a=" + trip + "&b=" + payout, status().isBadRequest());
        String missing = page("/agent-saga/compare?a=" + trip + "&b=no-such-saga", status().isNotFound());

        assertThat(answer).contains("run different workflows");
        assertThat(missing).contains("No saga has the id &#39;no-such-saga&#39;.");
    }

    private String page(String path) throws Exception {
        return page(path, status().isOk());
    }

    private String page(String path, ResultMatcher status) throws Exception {
        return mvc.perform(get(path)).andExpect(status).andReturn().getResponse().getContentAsString();
    }
}
