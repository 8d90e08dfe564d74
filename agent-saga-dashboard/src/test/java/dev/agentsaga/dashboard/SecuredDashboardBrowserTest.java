package dev.agentsaga.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
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
import dev.agentsaga.dashboard.app.TravelDeskApplication;
import dev.agentsaga.dashboard.app.TravelScenarios;
import dev.agentsaga.dashboard.app.TripWorkflow;
import dev.agentsaga.dashboard.secured.DashboardSecurity;
import dev.agentsaga.test.AutoConfigureSagaTest;

/**
 * The dashboard with actions enabled in an application with Spring Security (the minimal secure setup of
 * docs/dashboard.md), in a real headless Chromium: reading needs a signed-in user, acting needs the
 * operator role and a CSRF token.
 */
@Tag("spring-security")
@SpringBootTest(classes = { TravelDeskApplication.class, DashboardSecurity.class },
        webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = { "agent.saga.dashboard.enabled=true", "agent.saga.dashboard.actions-enabled=true" })
@AutoConfigureSagaTest(database = AutoConfigureSagaTest.Database.POSTGRESQL)
@DirtiesContext
@ExtendWith(RequiresBrowser.class)
class SecuredDashboardBrowserTest {

    /** Posts the form fields with the page's CSRF token when asked, and answers the status and the text. */
    private static final String POST = "var done = arguments[arguments.length - 1];"
            + "var headers = {'Content-Type': 'application/x-www-form-urlencoded'};"
            + "var meta = document.querySelector('meta[name=_csrf_header]');"
            + "if (arguments[2] && meta) { headers[meta.content] = document.querySelector('meta[name=_csrf]').content; }"
            + "fetch(arguments[0], {method: 'POST', headers: headers, body: arguments[1], redirect: 'manual'})"
            + ".then(r => r.text().then(t => done(r.status + ' ' + t)));";

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
    void aUserWhoIsNotSignedInIsAskedToSignIn() {
        browser.driver().manage().deleteAllCookies();

        browser.open(url("/agent-saga"));

        assertThat(browser.driver().getCurrentUrl()).endsWith("/login");
    }

    @Test
    void aViewerSeesWhatASagaWaitsForButCannotAct() {
        String id = waitingTrip("trip-lisbon-0601");
        signIn(DashboardSecurity.VIEWER);

        browser.open(url("/agent-saga/sagas/" + id));

        assertThat(browser.text(".decision .ask")).contains("sendConfirmation");
        assertThat(browser.text(".locked")).contains("Actions need the role SAGA_OPERATOR")
                .contains(DashboardSecurity.VIEWER + " does not have it");
        assertThat(browser.all("button[data-action]")).isEmpty();
        String answer = (String) browser.asyncScript(POST, url("/agent-saga/sagas/" + id + "/approve"),
                "tool=sendConfirmation", true);
        assertThat(answer).startsWith("403");
        assertThat(sagas.find(id).orElseThrow().status()).isEqualTo(SagaStatus.WAITING);
    }

    @Test
    void anOperatorApprovesFromThePage() {
        String id = waitingTrip("trip-lisbon-0602");
        signIn(DashboardSecurity.OPERATOR);

        browser.open(url("/agent-saga/sagas/" + id));
        browser.type(".decision input[name='reason']", "dates checked");
        browser.click("button[data-action='approve']");

        SagaView trip = new TravelScenarios(sagas).awaitStatus(id, SagaStatus.COMPLETED);
        assertThat(trip.steps().stream().filter(step -> step.name().equals("approval:sendConfirmation")).findFirst()
                .orElseThrow().output()).contains("\"by\":\"" + DashboardSecurity.OPERATOR + "\"");
    }

    @Test
    void anOperatorsActionWithoutTheCsrfTokenIsRefused() {
        String id = waitingTrip("trip-lisbon-0603");
        signIn(DashboardSecurity.OPERATOR);
        browser.open(url("/agent-saga/sagas/" + id));

        String answer = (String) browser.asyncScript(POST, url("/agent-saga/sagas/" + id + "/cancel"), "", false);

        assertThat(answer).startsWith("403");
        SagaView trip = sagas.find(id).orElseThrow();
        assertThat(trip.status()).isEqualTo(SagaStatus.WAITING);
        assertThat(trip.cancelRequested()).isFalse();
    }

    private String waitingTrip(String id) {
        sagas.start(TripWorkflow.NAME, "3 nights in Lisbon at Hotel Avenida, card visa-4242", id);
        new TravelScenarios(sagas).awaitStatus(id, SagaStatus.WAITING);
        return id;
    }

    private void signIn(String user) {
        browser.driver().manage().deleteAllCookies();
        browser.open(url("/login"));
        browser.type("input[name='username']", user);
        browser.type("input[name='password']", DashboardSecurity.PASSWORD);
        browser.click("button[type='submit']");
        browser.await("signed in as " + user, d -> !d.getCurrentUrl().endsWith("/login"));
    }

    private String url(String path) {
        return "http://localhost:" + port + path;
    }
}
