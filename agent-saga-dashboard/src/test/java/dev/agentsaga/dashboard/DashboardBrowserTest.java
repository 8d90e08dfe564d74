package dev.agentsaga.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.WebElement;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.agentsaga.ForkOverrides;
import dev.agentsaga.SagaCoordinator;
import dev.agentsaga.SagaStatus;
import dev.agentsaga.SagaView;
import dev.agentsaga.StepView;
import dev.agentsaga.dashboard.app.GroupTripWorkflow;
import dev.agentsaga.dashboard.app.PayoutWorkflow;
import dev.agentsaga.dashboard.app.TravelActions.Transfer;
import dev.agentsaga.dashboard.app.TravelDesk;
import dev.agentsaga.dashboard.app.TravelDeskApplication;
import dev.agentsaga.dashboard.app.TravelScenarios;
import dev.agentsaga.dashboard.app.TripWorkflow;
import dev.agentsaga.test.AutoConfigureSagaTest;
import dev.agentsaga.test.SagaTester;
import dev.agentsaga.test.TestDatabase;

/**
 * The dashboard in a real headless Chromium, actions enabled, in an application without Spring Security,
 * over sagas in every status on PostgreSQL. The first test takes the screenshots of docs/.
 */
@SpringBootTest(classes = TravelDeskApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "agent.saga.dashboard.enabled=true",
        "agent.saga.dashboard.actions-enabled=true",
        "agent.saga.dashboard.refresh-interval=400ms" })
@AutoConfigureSagaTest(database = AutoConfigureSagaTest.Database.POSTGRESQL)
@DirtiesContext
@ExtendWith(RequiresBrowser.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardBrowserTest {

    @TempDir
    static Path profile;

    private static Browser browser;

    private static boolean played;

    /** The travel desk of the application, once a test ran: its blocked calls are let go at the end. */
    private static TravelDesk openAtTheEnd;

    @LocalServerPort
    private int port;

    @Autowired
    private SagaCoordinator sagas;

    @Autowired
    private TravelDesk desk;

    @Autowired
    private TestDatabase database;

    @Autowired
    private SagaTester tester;

    private TravelScenarios scenarios;

    @DynamicPropertySource
    static void quickEngine(DynamicPropertyRegistry registry) {
        TestApplicationProperties.register(registry);
    }

    @BeforeAll
    static void launch() {
        browser = Browser.launch(profile);
    }

    @BeforeEach
    void sagasInEveryStatus() {
        scenarios = new TravelScenarios(sagas);
        openAtTheEnd = desk;
        if (!played) {
            scenarios.playAll(database.jdbc(), tester.clock());
            played = true;
        }
    }

    @AfterAll
    static void close() {
        if (openAtTheEnd != null) {
            openAtTheEnd.open(); // the blocked search and cancellation end before the engine stops
        }
        if (browser != null) {
            browser.close();
        }
    }

    @Test
    @Order(1)
    void takesTheScreenshotsOfTheDocumentation() {
        browser.open(url(""));
        browser.awaitElement("tr[data-status='PENDING']");
        Screenshots.save(browser.screenshot(1280), "dashboard-list.png");

        browser.open(url("/sagas/" + TravelScenarios.WAITING));
        browser.awaitElement(".decision[data-kind='APPROVAL']");
        Screenshots.save(browser.screenshot(1280), "dashboard-saga.png");

        browser.open(url("/sagas/" + TravelScenarios.COMPENSATED));
        browser.awaitElement("rect[data-role='compensation']");
        Screenshots.save(browser.screenshot(1280), "dashboard-compensated.png");

        browser.open(url("/inbox"));
        browser.awaitElement(".card");
        Screenshots.save(browser.screenshot(1280), "dashboard-inbox.png");
    }

    @Test
    @Order(2)
    void theListShowsSagasInEachStatusNewestFirstWithTheirCounts() {
        browser.open(url(""));
        browser.click(".live-toggle"); // paused: the rows stay the elements read below

        for (SagaStatus status : SagaStatus.values()) {
            assertThat(browser.all("tr[data-status='" + status + "']")).as("rows in %s", status).isNotEmpty();
            assertThat(browser.text(".chip[data-status='" + status + "'] b")).as("count of %s", status)
                    .isNotEqualTo("0");
        }
        assertThat(browser.attribute("table.sagas tbody tr", "data-id")).isEqualTo(TravelScenarios.PENDING);

        browser.click(".chip[data-status='COMPENSATED']");
        browser.await("the list filtered on COMPENSATED", d -> d.getCurrentUrl().contains("status=COMPENSATED"));
        assertThat(browser.all("table.sagas tbody tr")).allSatisfy(row ->
                assertThat(row.getAttribute("data-status")).isEqualTo("COMPENSATED"));
    }

    @Test
    @Order(3)
    void searchingAnIdOpensTheSagaOrSaysThereIsNone() {
        browser.open(url(""));
        browser.type("form.search input[name='id']", TravelScenarios.FAILED);
        browser.click("form.search button");
        browser.await("the saga's page", d -> d.getCurrentUrl().endsWith("/sagas/" + TravelScenarios.FAILED));
        assertThat(browser.text(".saga-head .status")).isEqualTo("FAILED");

        browser.open(url("?id=no-such-saga"));
        assertThat(browser.text(".notice.warn")).contains("No saga has the id 'no-such-saga'");
    }

    @Test
    @Order(4)
    void theTimelineOfACompensatedSagaDrawsTheCompensationsAfterTheFailureInReverseOrder() {
        SagaView porto = sagas.find(TravelScenarios.COMPENSATED).orElseThrow();
        List<Integer> undone = porto.steps().stream().filter(step -> step.compensatedAt() != null)
                .map(StepView::seq).toList();
        assertThat(undone).hasSize(2); // bookFlight and bookHotel, before the card was declined

        browser.open(url("/sagas/" + TravelScenarios.COMPENSATED)); // finished: not refreshed

        double failure = Double.parseDouble(browser.find("svg.timeline g.failure").getAttribute("data-x"));
        List<WebElement> compensations = browser.all("rect[data-role='compensation']");
        assertThat(compensations).hasSize(2);
        List<WebElement> bySeqDescending = compensations.stream()
                .sorted(Comparator.comparingInt((WebElement bar) -> Integer.parseInt(bar.getAttribute("data-seq"))).reversed())
                .toList();
        double previousEnd = failure;
        for (WebElement bar : bySeqDescending) {
            double x = Double.parseDouble(bar.getAttribute("x"));
            assertThat(x).as("compensation of step %s starts after what ran before it", bar.getAttribute("data-seq"))
                    .isGreaterThanOrEqualTo(previousEnd - 0.5);
            previousEnd = x + Double.parseDouble(bar.getAttribute("width"));
        }
        for (int seq : undone) {
            double stepEnd = end(browser.find("rect[data-role='step'][data-seq='" + seq + "']"));
            assertThat(stepEnd).as("step %s ran before the failure", seq).isLessThanOrEqualTo(failure + 0.5);
        }
        assertThat(browser.find("rect[data-role='step'].failed").getAttribute("data-seq"))
                .isEqualTo(String.valueOf(porto.errorStep()));
        assertThat(browser.find(".conversation").getText()).contains("chargeCard").contains("Card declined");
    }

    @Test
    @Order(5)
    void approvingAWaitingToolFromThePageCompletesTheSaga() {
        String id = "trip-faro-0420";
        sagas.start(TripWorkflow.NAME, "3 nights in Faro at Hotel Mar, card visa-4242", id);
        scenarios.awaitStatus(id, SagaStatus.WAITING);
        browser.open(url("/sagas/" + id));

        assertThat(browser.text(".decision .ask")).contains("sendConfirmation");
        browser.type(".decision input[name='reason']", "Checked the dates with Ana");
        browser.click("button[data-action='approve']");

        browser.await("the saga completed on the page", d -> browser.text(".saga-head .status").equals("COMPLETED"));
        SagaView faro = scenarios.awaitStatus(id, SagaStatus.COMPLETED);
        assertThat(faro.steps().stream().filter(step -> step.name().equals("approval:sendConfirmation")).findFirst()
                .orElseThrow().output()).contains("\"by\":\"dashboard\"").contains("Checked the dates with Ana");
        browser.await("the page to stop refreshing", d -> browser.attribute("#live-state", "data-state").equals("finished"));
    }

    @Test
    @Order(6)
    void anInDoubtTransferIsResolvedFromTheInbox() {
        String id = "payout-7732";
        sagas.start(PayoutWorkflow.NAME, new Transfer("DE89 3704 0044 0532 0130 00", 12_000), id);
        scenarios.awaitStatus(id, SagaStatus.NEEDS_ATTENTION);
        browser.open(url("/inbox"));

        String card = ".card[data-id='" + id + "']";
        browser.awaitElement(card);
        assertThat(browser.attribute(card, "data-kind")).isEqualTo("IN_DOUBT");
        browser.type(card + " textarea[name='output']", "{\"transferId\": \"tr-bank-991\", \"amountEur\": 12000}");
        browser.click(card + " button[data-action='happened']");

        browser.await("back on the inbox", d -> d.getCurrentUrl().contains("/inbox"));
        SagaView payout = scenarios.awaitStatus(id, SagaStatus.COMPLETED);
        assertThat(payout.output()).contains("tr-bank-991");
    }

    @Test
    @Order(7)
    void aCompensationThatKeptFailingIsRetriedOnceItsCauseIsFixed() {
        browser.open(url("/sagas/" + TravelScenarios.COMPENSATION_FAILED));
        assertThat(browser.attribute(".decision", "data-kind")).isEqualTo("COMPENSATION_FAILED");

        desk.hotelCancellationsDown().set(false);
        browser.click("button[data-action='retry']");

        scenarios.awaitStatus(TravelScenarios.COMPENSATION_FAILED, SagaStatus.COMPENSATED);
    }

    @Test
    @Order(8)
    void theOpenListShowsANewSagaWithoutAReload() {
        browser.open(url(""));
        browser.script("window.sameDocument = true");
        assertThat(browser.attribute("#live-state", "data-state")).isEqualTo("live");
        assertThat(browser.text("#live-state .live-text")).isEqualTo("Live");

        sagas.start(TripWorkflow.NAME, "A week in Atlantis", "trip-new-0421");

        browser.awaitElement("tr[data-id='trip-new-0421']");
        assertThat(browser.script("return window.sameDocument")).isEqualTo(true);
        browser.click(".live-toggle");
        assertThat(browser.attribute("#live-state", "data-state")).isEqualTo("paused");
    }

    @Test
    @Order(9)
    void anOpenSagaRefreshesItselfUntilItFinishes() {
        String id = "trip-porto-0422";
        sagas.start(TripWorkflow.NAME, "2 nights in Porto at Casa Azul, card visa-4242", id);
        scenarios.awaitStatus(id, SagaStatus.WAITING);
        browser.open(url("/sagas/" + id));
        browser.script("window.sameDocument = true");

        sagas.signal(id, "approval:sendConfirmation", java.util.Map.of("approved", false, "by", "ops", "reason", "no"));

        browser.await("the rejected trip compensated on the open page",
                d -> browser.text(".saga-head .status").equals("COMPENSATED"));
        assertThat(browser.script("return window.sameDocument")).isEqualTo(true);
        assertThat(browser.text(".conversation")).contains("rejected by ops");
    }

    @Test
    @Order(10)
    void aForkIsComparedWithItsSourceFromItsPage() {
        String source = "trip-avalon-0430";
        sagas.start(TripWorkflow.NAME, "A week in Avalon", source);
        scenarios.awaitStatus(source, SagaStatus.FAILED);
        desk.openAirport("Avalon");
        String fork = sagas.fork(source, 2, ForkOverrides.none()).id();
        scenarios.awaitStatus(fork, SagaStatus.WAITING);
        sagas.signal(fork, "approval:sendConfirmation", java.util.Map.of("approved", true, "by", "ana", "reason", "ok"));
        scenarios.awaitStatus(fork, SagaStatus.COMPLETED);
        browser.open(url("/sagas/" + fork));

        assertThat(browser.text(".lineage .fork")).contains("Forked from " + source + " at step #2");
        browser.click(".lineage a.compare");

        browser.await("the comparison", d -> d.getCurrentUrl().contains("/compare?a=" + source));
        assertThat(browser.attribute("#divergence", "data-diverged-at")).isEqualTo("2");
        assertThat(browser.text("article[data-side='a'] .status")).isEqualTo("FAILED");
        assertThat(browser.text("article[data-side='b'] .status")).isEqualTo("COMPLETED");
        assertThat(browser.text("tr[data-seq='2'] td[data-side='a'] .step-status")).isEqualTo("FAILED");
        assertThat(browser.text("tr[data-seq='3'] td[data-side='b'] .call-head")).contains("bookFlight");
        Screenshots.save(browser.screenshot(1280), "dashboard-compare.png");
        browser.click("article[data-side='a'] h2 a");
        browser.await("the source's page", d -> d.getCurrentUrl().endsWith("/sagas/" + source));
    }

    @Test
    @Order(11)
    void aChildTripIsReachedFromItsGroupsTreeAndTimelineAndLeadsBackToIt() {
        String group = "group-0431";
        sagas.start(GroupTripWorkflow.NAME, "2 nights in Porto at Casa Azul, card visa-4242 + "
                + "3 nights in Madrid at Hotel Prado, card visa-4242", group);
        scenarios.awaitStatus(group + ":1", SagaStatus.WAITING);
        scenarios.awaitStatus(group + ":2", SagaStatus.WAITING);
        scenarios.awaitStatus(group, SagaStatus.WAITING);
        browser.open(url("/sagas/" + group));
        browser.awaitElement("#lineage li[data-id='" + group + ":2']");
        Screenshots.save(browser.screenshot(1280), "dashboard-children.png");

        browser.click("#lineage li[data-id='" + group + ":2'] > a.mono");
        browser.await("the second trip's page", d -> d.getCurrentUrl().endsWith("/sagas/" + group + ":2"));
        assertThat(browser.text(".lineage .parent")).contains("Child saga of " + group + ", started by its step #2");
        browser.click(".lineage .parent a.mono");
        browser.await("the group's page", d -> d.getCurrentUrl().endsWith("/sagas/" + group));
        browser.click("svg.timeline g.row[data-seq='1'] a.child");
        browser.await("the first trip's page", d -> d.getCurrentUrl().endsWith("/sagas/" + group + ":1"));
    }

    private String url(String path) {
        return "http://localhost:" + port + "/agent-saga" + path;
    }

    private static double end(WebElement bar) {
        return Double.parseDouble(bar.getAttribute("x")) + Double.parseDouble(bar.getAttribute("width"));
    }
}
