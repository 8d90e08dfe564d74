package dev.agentsaga.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.hamcrest.Matchers;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.webmvc.autoconfigure.DispatcherServletAutoConfiguration;
import org.springframework.boot.webmvc.autoconfigure.WebMvcAutoConfiguration;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;

import dev.agentsaga.Page;
import dev.agentsaga.SagaCoordinator;
import dev.agentsaga.SagaFleet;
import dev.agentsaga.SagaView;

class DashboardAutoConfigurationTest {

    private final SagaCoordinator coordinator = emptyCoordinator();

    private final WebApplicationContextRunner runner = new WebApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(AgentSagaDashboardAutoConfiguration.class))
            .withBean(SagaCoordinator.class, () -> coordinator);

    @Test
    void isOffUntilEnabled() {
        runner.run(context -> assertThat(context).doesNotHaveBean(SagaDashboard.class)
                .doesNotHaveBean("agentSagaDashboardRoutes"));
    }

    @Test
    void servesTheDashboardOnceEnabledWithActionsDecidedByThePropertyWithoutSpringSecurity() {
        runner.withPropertyValues("agent.saga.dashboard.enabled=true").run(context -> {
            assertThat(context).hasSingleBean(SagaDashboard.class).hasBean("agentSagaDashboardRoutes");
            assertThat(context.getBean(OperatorAccess.class)).isInstanceOf(PropertyOperatorAccess.class);
        });
    }

    @Test
    void isNotServedOutsideAServletWebApplication() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(AgentSagaDashboardAutoConfiguration.class))
                .withBean(SagaCoordinator.class, () -> coordinator)
                .withPropertyValues("agent.saga.dashboard.enabled=true")
                .run(context -> assertThat(context).doesNotHaveBean(SagaDashboard.class));
    }

    @Test
    void needsACoordinator() {
        new WebApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(AgentSagaDashboardAutoConfiguration.class))
                .withPropertyValues("agent.saga.dashboard.enabled=true")
                .run(context -> assertThat(context).doesNotHaveBean(SagaDashboard.class));
    }

    @Test
    void anOperatorAccessOfTheApplicationWins() {
        OperatorAccess own = new PropertyOperatorAccess(true);
        runner.withPropertyValues("agent.saga.dashboard.enabled=true").withBean(OperatorAccess.class, () -> own)
                .run(context -> assertThat(context.getBean(OperatorAccess.class)).isSameAs(own));
    }

    @Test
    void servesItsPagesUnderTheConfiguredPathNeverCachedAndWithoutForeignScripts() {
        web().withPropertyValues("agent.saga.dashboard.enabled=true", "agent.saga.dashboard.path=/ops/sagas/")
                .run(context -> {
                    MockMvc mvc = MockMvcBuilders.webAppContextSetup(context).build();

                    mvc.perform(get("/ops/sagas")).andExpect(status().isOk())
                            .andExpect(content().contentTypeCompatibleWith("text/html"))
                            .andExpect(header().string("Cache-Control", "no-store"))
                            .andExpect(header().string("Content-Security-Policy", Matchers.containsString("script-src 'self'")))
                            .andExpect(header().string("X-Frame-Options", "DENY"))
                            .andExpect(content().string(Matchers.containsString("No saga matches.")))
                            .andExpect(content().string(Matchers.containsString("/ops/sagas/assets/dashboard.js?v=")));
                    mvc.perform(get("/ops/sagas/inbox")).andExpect(status().isOk())
                            .andExpect(content().string(Matchers.containsString("Nothing needs a person.")));
                    mvc.perform(get("/ops/sagas/sagas/nope")).andExpect(status().isNotFound())
                            .andExpect(content().string(Matchers.containsString("No saga has the id")));
                    mvc.perform(get("/ops/sagas?status=LOST")).andExpect(status().isBadRequest());
                    mvc.perform(get("/ops/sagas/assets/dashboard.css")).andExpect(status().isOk());
                });
    }

    @Test
    void refusesActionsUntilTheyAreEnabled() {
        web().withPropertyValues("agent.saga.dashboard.enabled=true").run(context -> {
            MockMvc mvc = MockMvcBuilders.webAppContextSetup(context).build();

            mvc.perform(post("/agent-saga/sagas/42/cancel")).andExpect(status().isForbidden())
                    .andExpect(content().string(Matchers.containsString("agent.saga.dashboard.actions-enabled=true")));
        });
    }

    @Test
    void refusesActionsPostedFromAnotherSite() {
        web().withPropertyValues("agent.saga.dashboard.enabled=true", "agent.saga.dashboard.actions-enabled=true")
                .run(context -> {
                    MockMvc mvc = MockMvcBuilders.webAppContextSetup(context).build();

                    mvc.perform(post("/agent-saga/sagas/42/cancel").header("Sec-Fetch-Site", "cross-site"))
                            .andExpect(status().isForbidden());
                    mvc.perform(post("/agent-saga/sagas/42/cancel").header("Sec-Fetch-Site", "same-origin"))
                            .andExpect(status().isSeeOther());
                });
    }

    @Test
    void putsTheSagasOfAVersionNoRunningNodeRunsInTheInbox() {
        when(coordinator.fleet()).thenReturn(new SagaFleet(Instant.EPOCH, List.of(), List.of(
                new SagaFleet.Version("trip", "1", 12, List.of()), new SagaFleet.Version("trip", "2", 3,
                        List.of("pod-7")))));
        web().withPropertyValues("agent.saga.dashboard.enabled=true").run(context -> {
            MockMvc mvc = MockMvcBuilders.webAppContextSetup(context).build();

            mvc.perform(get("/agent-saga/inbox")).andExpect(status().isOk())
                    .andExpect(content().string(Matchers.containsString("12 sagas need a person.")))
                    .andExpect(content().string(Matchers.containsString("Versions no running node runs")))
                    .andExpect(content().string(Matchers.containsString("trip version 1")))
                    .andExpect(content().string(Matchers.containsString("12 unfinished sagas")))
                    .andExpect(content().string(Matchers.not(Matchers.containsString("trip version 2"))));
        });
    }

    @Test
    void showsThatASagasPayloadsWereErasedAndWhen() {
        SagaView erased = Journals.saga("trip-erased").input(SagaView.ERASED).model(0, 10, SagaView.ERASED, 250, 40)
                .erased(10, 60_000);
        when(coordinator.find("trip-erased")).thenReturn(Optional.of(erased));
        web().withPropertyValues("agent.saga.dashboard.enabled=true").run(context -> {
            MockMvc mvc = MockMvcBuilders.webAppContextSetup(context).build();

            mvc.perform(get("/agent-saga/sagas/trip-erased")).andExpect(status().isOk())
                    .andExpect(content().string(Matchers.containsString("Payloads erased")))
                    .andExpect(content().string(Matchers.containsString("datetime=\"" + erased.erasedAt() + "\"")))
                    .andExpect(content().string(Matchers.containsString("[erased]")));
        });
    }

    private WebApplicationContextRunner web() {
        return runner.withConfiguration(AutoConfigurations.of(DispatcherServletAutoConfiguration.class,
                WebMvcAutoConfiguration.class));
    }

    private static SagaCoordinator emptyCoordinator() {
        SagaCoordinator coordinator = mock(SagaCoordinator.class);
        when(coordinator.list(any())).thenReturn(new Page<>(List.of(), 0, 1, 0));
        when(coordinator.find(anyString())).thenReturn(Optional.empty());
        when(coordinator.fleet()).thenReturn(new SagaFleet(Instant.EPOCH, List.of(), List.of()));
        return coordinator;
    }
}
