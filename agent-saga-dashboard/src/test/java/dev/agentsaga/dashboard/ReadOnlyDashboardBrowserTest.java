package dev.agentsaga.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.agentsaga.SagaCoordinator;
import dev.agentsaga.SagaStatus;
import dev.agentsaga.SagaView;
import dev.agentsaga.dashboard.app.PayoutWorkflow;
import dev.agentsaga.dashboard.app.TravelActions.Transfer;
import dev.agentsaga.dashboard.app.TravelDeskApplication;
import dev.agentsaga.dashboard.app.TravelScenarios;
import dev.agentsaga.dashboard.app.TripWorkflow;
import dev.agentsaga.test.AutoConfigureSagaTest;

/**
 * The dashboard with its default access, read-only, in a real headless Chromium: sagas that wait for a
 * person show what they wait for and how to enable actions, no action is offered, and actions posted
 * directly are refused.
 */
@SpringBootTest(classes = TravelDeskApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = "agent.saga.dashboard.enabled=true")
@AutoConfigureSagaTest(database = AutoConfigureSagaTest.Database.POSTGRESQL)
@DirtiesContext
@ExtendWith(RequiresBrowser.class)
class ReadOnlyDashboardBrowserTest {

    private static final String TRIP = "trip-lisbon-0501";

    private static final String PAYOUT = "payout-0502";

    @TempDir
    static Path profile;

    private static Browser browser;

    @LocalServerPort
    private int port;

    @Autowired
    private SagaCoordinator sagas;

    @DynamicPropertySource
    static void quickEngine(DynamicPropertyRegistry registry) {
        TestApplicationProperties.register(registry);
    }

    @BeforeAll
    static void launch() {
        browser = Browser.launch(profile);
    }

    @AfterAll
    static void close() {
        if (browser != null) {
            browser.close();
        }
    }

    @Test
    void withWriteAccessOffNoActionIsOfferedAndNoneIsAccepted() {
        TravelScenarios scenarios = new TravelScenarios(sagas);
        sagas.start(TripWorkflow.NAME, "3 nights in Lisbon at Hotel Avenida, card visa-4242", TRIP);
        sagas.start(PayoutWorkflow.NAME, new Transfer("PT50 0002 0123 1234 5678 9015 4", 25_000), PAYOUT);
        scenarios.awaitStatus(TRIP, SagaStatus.WAITING);
        scenarios.awaitStatus(PAYOUT, SagaStatus.NEEDS_ATTENTION);

        browser.open(url("/sagas/" + TRIP));
        assertThat(browser.text(".decision .ask")).contains("Waiting for approval").contains("sendConfirmation");
        assertThat(browser.text(".locked")).contains("agent.saga.dashboard.actions-enabled=true");
        assertThat(browser.all("form[method='post']")).isEmpty();
        assertThat(browser.all("button[data-action]")).isEmpty();

        browser.open(url("/inbox"));
        assertThat(browser.all(".card")).hasSize(2);
        assertThat(browser.text(".locked")).contains("agent.saga.dashboard.actions-enabled=true");
        assertThat(browser.all("form[method='post']")).isEmpty();

        HttpResponse<String> approve = DirectPost.form(url("/sagas/" + TRIP + "/approve"),
                Map.of("tool", "sendConfirmation", "reason", "posted directly"));
        HttpResponse<String> cancel = DirectPost.form(url("/sagas/" + TRIP + "/cancel"), Map.of());
        HttpResponse<String> resolve = DirectPost.form(url("/sagas/" + PAYOUT + "/resolve"), Map.of("outcome", "HAPPENED"));
        Object fromThePage = browser.asyncScript("var done = arguments[arguments.length - 1];"
                + "fetch(arguments[0], {method: 'POST', headers: {'Content-Type': 'application/x-www-form-urlencoded'},"
                + " body: 'tool=sendConfirmation'}).then(r => done(r.status));", url("/sagas/" + TRIP + "/approve"));

        assertThat(approve.statusCode()).isEqualTo(403);
        assertThat(approve.body()).contains("agent.saga.dashboard.actions-enabled=true");
        assertThat(cancel.statusCode()).isEqualTo(403);
        assertThat(resolve.statusCode()).isEqualTo(403);
        assertThat(fromThePage).isEqualTo(403L);
        SagaView trip = sagas.find(TRIP).orElseThrow();
        assertThat(trip.status()).isEqualTo(SagaStatus.WAITING);
        assertThat(trip.cancelRequested()).isFalse();
        assertThat(sagas.find(PAYOUT).orElseThrow().status()).isEqualTo(SagaStatus.NEEDS_ATTENTION);
    }

    private String url(String path) {
        return "http://localhost:" + port + "/agent-saga" + path;
    }
}
