package dev.agentsaga.ai;

import static dev.agentsaga.test.SagaAssertions.assertThatSaga;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.ai.chat.messages.SystemMessage;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.chat.prompt.Prompt;

import dev.agentsaga.AgentWorkflow;
import dev.agentsaga.ForkOverrides;
import dev.agentsaga.InvalidSagaStateException;
import dev.agentsaga.Saga;
import dev.agentsaga.SagaComparison;
import dev.agentsaga.SagaEngine;
import dev.agentsaga.SagaStatus;
import dev.agentsaga.SagaView;
import dev.agentsaga.StepKind;
import dev.agentsaga.StepStatus;
import dev.agentsaga.test.ScriptedChatModel;
import dev.agentsaga.testing.CompensableAction;
import dev.agentsaga.testing.EffectLedger;
import dev.agentsaga.testing.EffectLedger.Kind;
import dev.agentsaga.testing.EngineTestSupport;
import dev.agentsaga.testing.IrreversibleAction;
import dev.agentsaga.testing.TestPolicies;

/**
 * A fork takes the recorded results of the steps before its fork step from the source's journal, without
 * running them and without owning their effects, and runs from the fork step on with its overrides; a
 * comparison names the step where the two runs part.
 */
class ForkTest extends EngineTestSupport {

    static final String SYSTEM = "You plan trips.";

    static final String FRUGAL = "You plan trips for the smallest budget.";

    /** Six steps: an action, two model turns, an action, a model turn, an action that refuses an over-budget plan. */
    static final class TripPlanner implements AgentWorkflow<String, String> {

        private final JournaledChatModel model;

        private final CompensableAction seat;

        private final CompensableAction room;

        private final CompensableAction booking;

        TripPlanner(ScriptedChatModel model, CompensableAction seat, CompensableAction room,
                CompensableAction booking) {
            this.model = new JournaledChatModel(model);
            this.seat = seat;
            this.room = room;
            this.booking = booking;
        }

        @Override
        public String run(String city, Saga saga) {
            saga.step(seat, city);
            String plan = ask(saga, "Plan a trip to " + city);
            String hotel = ask(saga, "Choose a hotel for this plan: " + plan);
            saga.step(room, hotel);
            String summary = ask(saga, "Summarise the stay at " + hotel);
            if (summary.contains("over budget")) {
                throw new IllegalStateException("The plan is over budget: " + summary);
            }
            return saga.step(booking, summary);
        }

        private String ask(Saga saga, String question) {
            return String.valueOf(model.call(saga, new Prompt(List.of(new SystemMessage(SYSTEM),
                    new UserMessage(question)))).text());
        }
    }

    @Test
    void aForkFromStepThreeRunsFromThereWithAnotherSystemPromptAndNeverUndoesWhatItInherited() {
        ScriptedChatModel model = ScriptedChatModel.create()
                .turn(reply -> reply.text("Three days in Rome").usage(100, 10))
                .turn(reply -> reply.text("Hotel Forum").usage(120, 5))
                .turn(reply -> reply.text("A fine stay at Hotel Forum").usage(80, 8))
                // the fork's turns: step 3 with the frugal system prompt, then step 5
                .turn(expect -> expect.systemPrompt(FRUGAL), reply -> reply.text("Hostel Termini").usage(130, 5))
                .turn(expect -> expect.systemPrompt(FRUGAL),
                        reply -> reply.text("Hostel Termini, over budget after all").usage(90, 9));
        CompensableAction seat = new CompensableAction("holdSeat", ledger);
        CompensableAction room = new CompensableAction("holdRoom", ledger);
        CompensableAction booking = new CompensableAction("bookStay", ledger);
        SagaEngine engine = started(engineBuilder().defaultPolicy(TestPolicies.fast()).action(seat).action(room)
                .action(booking).workflow("planner", new TripPlanner(model, seat, room, booking)));
        SagaView source = engine.start("planner", "rome").await(WAIT);
        assertThat(source.status()).isEqualTo(SagaStatus.COMPLETED);
        assertThat(source.steps()).hasSize(6);
        assertThat(model.requests()).hasSize(3);

        String forkId = engine.fork(source.id(), 3, ForkOverrides.none().withSystemPrompt(FRUGAL)).id();
        SagaView fork = awaitStatus(engine, forkId, SagaStatus.COMPENSATED);

        // steps 1 and 2 were not executed again: no effect of the fork's own, no model request for them
        assertThat(ledger.executed(forkId)).containsExactly("holdRoom");
        assertThat(model.requests()).hasSize(5);
        assertThat(model.mismatches()).isEmpty();
        assertThat(model.requests().get(3).getSystemMessage().getText()).isEqualTo(FRUGAL);
        assertThat(model.requests().get(3).getUserMessage().getText()).contains("Three days in Rome");
        assertThatSaga(fork).isForkOf(source.id(), 3).isCompensated().compensatedInOrder("holdRoom");
        assertThat(fork.steps().get(0).compensationNote()).contains("inherited from saga " + source.id());
        // compensating the fork undid its own hold of the room and left the source's seat alone
        assertThat(ledger.compensated(forkId)).containsExactly("holdRoom");
        assertThat(ledger.compensated(source.id())).isEmpty();
        assertThat(ledger.effects(source.id(), Kind.EXECUTE)).hasSize(3);
        assertThat(view(engine, source.id()).status()).isEqualTo(SagaStatus.COMPLETED);
        assertThat(fork.steps().get(0).status()).isEqualTo(StepStatus.SUCCEEDED);

        SagaComparison comparison = engine.compare(source.id(), forkId);
        assertThat(comparison.divergedAt()).isEqualTo(3);
        assertThat(comparison.differences().get(0).seq()).isEqualTo(3);
        assertThat(comparison.differences().get(0).a().kind()).isEqualTo(StepKind.LLM);
        assertThat(comparison.differences().get(0).a().output()).contains("Hotel Forum");
        assertThat(comparison.differences().get(0).b().output()).contains("Hostel Termini");
        assertThat(comparison.a().status()).isEqualTo(SagaStatus.COMPLETED);
        assertThat(comparison.b().status()).isEqualTo(SagaStatus.COMPENSATED);
        assertThat(comparison.b().forkedFrom()).isEqualTo(source.id());
        assertThat(comparison.a().tokens()).isEqualTo(110 + 125 + 88);
        // the fork's own calls only: the inherited turn of step 2 is the source's
        assertThat(comparison.b().tokens()).isEqualTo(135 + 99);
    }

    @Test
    void aForkWithAnotherModelSendsItFromTheForkStepOnAndComparesTheToolCalls() {
        ScriptedChatModel model = ScriptedChatModel.create()
                .turn(reply -> reply.text("Three days in Oslo"))
                .turn(reply -> reply.text("Hotel Fjord").toolCall("holdRoom", "{\"room\":\"fjord\"}"))
                .turn(reply -> reply.text("A fine stay"))
                .turn(expect -> expect.check("asks for the other model",
                        prompt -> "bigger-model".equals(prompt.getOptions().getModel())),
                        reply -> reply.text("Hotel Aker").toolCall("holdRoom", "{\"room\":\"aker\"}"))
                .turn(reply -> reply.text("A finer stay"));
        CompensableAction seat = new CompensableAction("holdSeat", ledger);
        CompensableAction room = new CompensableAction("holdRoom", ledger);
        CompensableAction booking = new CompensableAction("bookStay", ledger);
        SagaEngine engine = started(engineBuilder().defaultPolicy(TestPolicies.fast()).action(seat).action(room)
                .action(booking).workflow("planner", new TripPlanner(model, seat, room, booking)));
        SagaView source = engine.start("planner", "oslo").await(WAIT);

        String forkId = engine.fork(source.id(), 3, ForkOverrides.none().withModel("bigger-model")
                .withOption("temperature", 0.2)).id();
        SagaView fork = awaitStatus(engine, forkId, SagaStatus.COMPLETED);

        assertThat(model.mismatches()).isEmpty();
        assertThat(model.requests().get(3).getOptions().getTemperature()).isEqualTo(0.2);
        assertThat(model.requests().subList(0, 3)).allMatch(prompt -> prompt.getOptions() == null
                || !"bigger-model".equals(prompt.getOptions().getModel()));
        assertThat(fork.output()).contains("A finer stay");
        SagaComparison comparison = engine.compare(source.id(), forkId);
        assertThat(comparison.divergedAt()).isEqualTo(3);
        SagaComparison.StepDifference turn = comparison.differences().get(0);
        assertThat(turn.toolCallsA()).containsExactly(new SagaComparison.ToolCall("holdRoom", "{\"room\":\"fjord\"}"));
        assertThat(turn.toolCallsB()).containsExactly(new SagaComparison.ToolCall("holdRoom", "{\"room\":\"aker\"}"));
        assertThat(comparison.differences()).extracting(SagaComparison.StepDifference::seq).contains(3, 4, 5, 6);
        assertThat(engine.compare(source.id(), source.id()).same()).isTrue();
    }

    @Test
    void aForkIsRefusedWhenAStepBeforeTheForkStepIsInDoubt() {
        IrreversibleAction charge = new IrreversibleAction("chargeCard", ledger).outcomeUnknownTimes(1);
        CompensableAction seat = new CompensableAction("holdSeat", ledger);
        SagaEngine engine = started(engineBuilder().defaultPolicy(TestPolicies.fast()).action(charge).action(seat)
                .workflow("charger", new dev.agentsaga.testing.ScriptedWorkflow((input, saga) -> {
                    saga.step(seat, input);
                    saga.step(charge, input);
                    return saga.step(seat, input);
                })));
        String id = engine.start("charger", "x").id();
        awaitStatus(engine, id, SagaStatus.NEEDS_ATTENTION);

        assertThatThrownBy(() -> engine.fork(id, 3, ForkOverrides.none()))
                .isInstanceOf(InvalidSagaStateException.class)
                .hasMessageContaining("step 2 (chargeCard)").hasMessageContaining("in doubt");
        assertThatThrownBy(() -> engine.fork(id, 9, ForkOverrides.none()))
                .isInstanceOf(InvalidSagaStateException.class).hasMessageContaining("from 1 to 3");
        // before the in-doubt step a fork is fine, and it starts nothing the source did
        String fork = engine.fork(id, 2, ForkOverrides.none()).id();
        awaitStatus(engine, fork, SagaStatus.NEEDS_ATTENTION);
        assertThat(ledger.attempts(fork, Kind.EXECUTE)).extracting(EffectLedger.Attempt::action)
                .containsExactly("chargeCard");
        assertThat(instanceRows()).isEqualTo(2);
    }

    @Test
    void aForkCannotBuildOnAStepTheSourcesCompensationUndid() {
        CompensableAction seat = new CompensableAction("holdSeat", ledger);
        CompensableAction pay = new CompensableAction("payDeposit", ledger).alwaysFailing()
                .withPolicy(TestPolicies.fast(1));
        SagaEngine engine = started(engineBuilder().defaultPolicy(TestPolicies.fast()).action(seat).action(pay)
                .workflow("payer", new dev.agentsaga.testing.ScriptedWorkflow((input, saga) -> {
                    saga.step(seat, input);
                    return saga.step(pay, input);
                })));
        String id = engine.start("payer", "x").id();
        awaitStatus(engine, id, SagaStatus.COMPENSATED);

        assertThatThrownBy(() -> engine.fork(id, 2, ForkOverrides.none()))
                .isInstanceOf(InvalidSagaStateException.class)
                .hasMessageContaining("step 1 (holdSeat)").hasMessageContaining("COMPENSATED");
        String fork = engine.fork(id, 1, ForkOverrides.none()).id();
        awaitStatus(engine, fork, SagaStatus.COMPENSATED);
        assertThat(ledger.compensated(fork)).containsExactly("holdSeat");
    }
}
