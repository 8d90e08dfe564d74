package dev.agentsaga.test;

import static dev.agentsaga.test.SagaAssertions.assertThatSaga;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import org.junit.jupiter.api.Test;

import dev.agentsaga.ActionPolicy;
import dev.agentsaga.AgentWorkflow;
import dev.agentsaga.Saga;
import dev.agentsaga.SagaView;
import dev.agentsaga.StepFailedException;
import dev.agentsaga.StepKind;
import dev.agentsaga.StepStatus;

/** The scripted chat model: answers from its script, records what it was asked, and shows what did not match. */
@SagaTest
class ScriptedModelTest {

    private static final String SYSTEM_PROMPT = "You plan trips. Answer with one flight.";

    @Test
    void anAgentWhoseRequestsMatchTheScriptCompletesAndAResumedOneTakesNoTurnAgain(SagaTestEnvironment env) {
        ScriptedChatModel model = env.scriptedModel()
                .turn(expect -> expect.systemPrompt(SYSTEM_PROMPT).lastMessageContains("Lisbon")
                        .conversation("system: " + SYSTEM_PROMPT, "user: Plan a trip to Lisbon"),
                        reply -> reply.text("Fly TP941 on Friday."));
        Trip trip = new Trip();
        env.configure(engine -> trip.register(engine, new TripWorkflow(trip.steps(),
                new Planner(model, SYSTEM_PROMPT))));
        env.crashes().afterStep(2);

        String id = env.start(Trip.WORKFLOW, "Lisbon").id();
        env.awaitCrash();
        env.restart();
        SagaView planned = env.awaitFinal(id);

        assertThatSaga(planned).isCompleted().hasStep(1, StepKind.LLM, "model", StepStatus.SUCCEEDED);
        assertThat(planned.steps().get(0).output()).isEqualTo("\"Fly TP941 on Friday.\"");
        assertThat(model.requests()).hasSize(1);
        assertThat(model.conversations()).singleElement().asString()
                .contains(" 1 system: " + SYSTEM_PROMPT, " 2 user: Plan a trip to Lisbon");
        assertThat(model.mismatches()).isEmpty();
        model.assertAllTurnsTaken();
    }

    @Test
    void aRequestThatDoesNotMatchItsTurnFailsWithALineDiffOfTheConversations() {
        ScriptedChatModel model = ScriptedChatModel.create()
                .turn(expect -> expect.conversation("system: " + SYSTEM_PROMPT, "user: Plan a trip to Porto"),
                        reply -> reply.text("Fly TP1950."));
        Planner planner = new Planner(model, SYSTEM_PROMPT);

        AssertionError failure = catchThrowableOfType(AssertionError.class,
                () -> model.call(planner.prompt("Lisbon")));

        assertThat(failure).hasMessageContaining("request 1 does not match turn 1");
        assertThat(failure.getMessage().lines()).as("the expected line, then the received one").containsSubsequence(
                "    system: " + SYSTEM_PROMPT,
                "  - user: Plan a trip to Porto",
                "  + user: Plan a trip to Lisbon");
        assertThat(model.requests()).hasSize(1);
        assertThat(model.mismatches()).containsExactly(failure.getMessage());
    }

    @Test
    void aRequestPastTheEndOfTheScriptFailsNamingIt() {
        ScriptedChatModel model = ScriptedChatModel.create().turn(reply -> reply.text("Fly TP941."));
        Planner planner = new Planner(model, SYSTEM_PROMPT);
        model.call(planner.prompt("Lisbon"));


        AssertionError failure = catchThrowableOfType(AssertionError.class,
                () -> model.call(planner.prompt("Porto")));

        assertThat(failure).hasMessageContaining("request 2 is past the end of the script of 1 turns")
                .hasMessageContaining("user: Plan a trip to Porto");
        assertThat(model.requests()).hasSize(2);
        assertThat(model.mismatches()).containsExactly(failure.getMessage());
    }

    @Test
    void verifyFailsTheTestWhenTheAgentSwallowedTheModelsFailure() {
        try (SagaTestEnvironment env = SagaTestEnvironment.open(SagaTest.Database.H2)) {
            ScriptedChatModel model = env.scriptedModel()
                    .turn(expect -> expect.lastMessageContains("Porto"), reply -> reply.text("Fly TP1950."));
            env.configure(engine -> engine.defaultPolicy(ActionPolicy.noRetries())
                    .workflow("forgiving", new PlansOrGuesses(new Planner(model, SYSTEM_PROMPT))));

            String output = env.start("forgiving", "Lisbon").awaitOutput(String.class, SagaTestEnvironment.WAIT);

            assertThat(output).isEqualTo("a guess for Lisbon");
            assertThatThrownBy(env::verify).isInstanceOf(AssertionError.class)
                    .hasMessageContaining("request 1 does not match turn 1")
                    .hasMessageContaining("Expected: the last message contains \"Porto\"")
                    .hasMessageContaining("user: Plan a trip to Lisbon");
        }
    }

    @Test
    void awaitFinalFailsAsSoonAsTheModelReceivedAnUnexpectedRequestThatTheAgentSwallowed() {
        try (SagaTestEnvironment env = SagaTestEnvironment.open(SagaTest.Database.H2)) {
            ScriptedChatModel model = env.scriptedModel()
                    .turn(expect -> expect.lastMessageContains("Porto"), reply -> reply.text("Fly TP1950."));
            env.configure(engine -> engine.defaultPolicy(ActionPolicy.noRetries())
                    .workflow("forgiving", new PlansOrGuesses(new Planner(model, SYSTEM_PROMPT))));

            String id = env.start("forgiving", "Lisbon").id();

            assertThatThrownBy(() -> env.awaitFinal(id)).isInstanceOf(AssertionError.class)
                    .hasMessageContaining("request 1 does not match turn 1");
        }
    }

    /** An agent that guesses when its model call fails, swallowing the failure. */
    static final class PlansOrGuesses implements AgentWorkflow<String, String> {

        private final Planner planner;

        PlansOrGuesses(Planner planner) {
            this.planner = planner;
        }

        @Override
        public String run(String destination, Saga saga) {
            try {
                return saga.journal(planner.plan(destination));
            }
            catch (StepFailedException ex) {
                return "a guess for " + destination;
            }
        }
    }
}
