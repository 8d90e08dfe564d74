package dev.agentsaga.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import dev.agentsaga.ActionContext;
import dev.agentsaga.InvalidActionException;
import dev.agentsaga.InvalidSagaIdException;
import dev.agentsaga.InvalidSagaStateException;
import dev.agentsaga.PayloadException;
import dev.agentsaga.PayloadTooLargeException;
import dev.agentsaga.Resolution;
import dev.agentsaga.Reversibility;
import dev.agentsaga.SagaAction;
import dev.agentsaga.SagaEngine;
import dev.agentsaga.SagaIdConflictException;
import dev.agentsaga.SagaNotCompletedException;
import dev.agentsaga.SagaNotFoundException;
import dev.agentsaga.SagaStatus;
import dev.agentsaga.SagaView;
import dev.agentsaga.UnknownWorkflowException;
import dev.agentsaga.testing.CompensableAction;
import dev.agentsaga.testing.EffectLedger.Attempt;
import dev.agentsaga.testing.EffectLedger.Kind;
import dev.agentsaga.testing.EngineTestSupport;
import dev.agentsaga.testing.ScriptedWorkflow;

/** Bad input gets a clear error and writes nothing. */
class BadInputTest extends EngineTestSupport {

    @Test
    void rejectsAnIdThatBelongsToAnotherWorkflow() {
        ScriptedWorkflow one = new ScriptedWorkflow((input, saga) -> "one");
        ScriptedWorkflow other = new ScriptedWorkflow((input, saga) -> "other");
        SagaEngine engine = started(engineBuilder().workflow("bad-conflict-one", one)
                .workflow("bad-conflict-other", other));
        engine.start("bad-conflict-one", "a", "conflict-1").await(WAIT);

        assertThatThrownBy(() -> engine.start("bad-conflict-other", "a", "conflict-1"))
                .isInstanceOf(SagaIdConflictException.class)
                .hasMessageContaining("conflict-1");

        assertThat(other.runs()).isZero();
        assertThat(view(engine, "conflict-1").workflow()).isEqualTo("bad-conflict-one");
        assertThat(instanceRows("conflict-1")).isEqualTo(1);
    }

    @Test
    void rejectsAnIdThatCannotBeOneSayingWhyAndRecordsNothing() {
        SagaEngine engine = started(engineBuilder().workflow("bad-id", new ScriptedWorkflow((input, saga) -> input)));
        int before = instanceRows();
        String tooLong = "x".repeat(InvalidSagaIdException.MAX_LENGTH + 1);

        assertThatThrownBy(() -> engine.start("bad-id", "x", " ")).isInstanceOf(InvalidSagaIdException.class)
                .hasMessageContaining("must not be blank");
        assertThatThrownBy(() -> engine.start("bad-id", "x", tooLong)).isInstanceOf(InvalidSagaIdException.class)
                .hasMessageContaining("at most 200 characters").hasMessageContaining("has 201");
        assertThatThrownBy(() -> engine.start("bad-id", "x", nullId())).isInstanceOf(InvalidSagaIdException.class)
                .hasMessageContaining("must not be null");

        assertThat(instanceRows()).isEqualTo(before);
        assertThat(engine.start("bad-id", "x", "x".repeat(InvalidSagaIdException.MAX_LENGTH)).await(WAIT).status())
                .as("an id of the longest length").isEqualTo(SagaStatus.COMPLETED);
    }

    @SuppressWarnings("NullAway")
    private static String nullId() {
        return null;
    }

    @Test
    void rejectsAnUnknownWorkflowListingTheKnownOnes() {
        SagaEngine engine = started(engineBuilder()
                .workflow("bad-known-alpha", new ScriptedWorkflow((input, saga) -> input))
                .workflow("bad-known-beta", new ScriptedWorkflow((input, saga) -> input)));
        int before = instanceRows();

        assertThatThrownBy(() -> engine.start("bad-unknown", "x", "unknown-wf-1"))
                .isInstanceOf(UnknownWorkflowException.class)
                .hasMessageContaining("bad-unknown")
                .hasMessageContaining("bad-known-alpha")
                .hasMessageContaining("bad-known-beta");
        assertThatThrownBy(() -> engine.start("bad-unknown", "x")).isInstanceOf(UnknownWorkflowException.class);

        assertThat(instanceRows("unknown-wf-1")).isZero();
        assertThat(instanceRows()).isEqualTo(before);
    }

    @Test
    void rejectsInputThatCannotBeSerialised() {
        SagaEngine engine = started(engineBuilder()
                .workflow("bad-unserialisable", new ScriptedWorkflow((input, saga) -> input)));
        int before = instanceRows();

        assertThatThrownBy(() -> engine.start("bad-unserialisable", new SelfReference(), "unserialisable-1"))
                .isInstanceOf(PayloadException.class);
        assertThatThrownBy(() -> engine.start("bad-unserialisable", new SelfReference()))
                .isInstanceOf(PayloadException.class);

        assertThat(instanceRows("unserialisable-1")).isZero();
        assertThat(instanceRows()).isEqualTo(before);
    }

    @Test
    void rejectsInputOverThePayloadLimitNamingTheLimit() {
        SagaEngine engine = started(engineBuilder().maxPayloadBytes(64)
                .workflow("bad-too-large", new ScriptedWorkflow((input, saga) -> input)));
        int before = instanceRows();

        assertThatThrownBy(() -> engine.start("bad-too-large", "y".repeat(200), "too-large-1"))
                .isInstanceOf(PayloadTooLargeException.class)
                .hasMessageContaining("64");

        assertThat(instanceRows("too-large-1")).isZero();
        assertThat(stepRows("too-large-1")).isZero();
        assertThat(instanceRows()).isEqualTo(before);
    }

    @Test
    void rejectsACompensableActionWithoutCompensate() {
        assertThatThrownBy(() -> engineBuilder().action(new SendsInvoice())
                .workflow("bad-no-undo", new ScriptedWorkflow((input, saga) -> input)).build())
                .isInstanceOf(InvalidActionException.class)
                .hasMessageContaining("compensate")
                .hasMessageContaining("READ_ONLY")
                .hasMessageContaining("IRREVERSIBLE");
    }

    @Test
    void acceptsReadOnlyAndIrreversibleActionsWithoutCompensate() {
        SagaEngine engine = engineBuilder().action(new LooksUpPrice()).action(new SendsInvoiceOnce())
                .workflow("bad-declared", new ScriptedWorkflow((input, saga) -> input)).build();

        assertThat(engine.isRunning()).isFalse();
    }

    @Test
    void rejectsALambdaAction() {
        ReadOnlySagaAction<String, String> lambda = (input, ctx) -> input;

        assertThatThrownBy(() -> engineBuilder().action("lambdaAction", lambda)
                .workflow("bad-lambda", new ScriptedWorkflow((input, saga) -> input)).build())
                .isInstanceOf(InvalidActionException.class)
                .hasMessageContaining("class");
    }

    @Test
    void stepOutputOverTheLimitNeedsAttentionAndRetryWithAHigherLimitRerunsTheStepWithTheSameKey() {
        CompensableAction small = new CompensableAction("smallStep", ledger);
        CompensableAction big = new CompensableAction("bigStep", ledger).withOutputPadding(1000);
        ScriptedWorkflow wf = new ScriptedWorkflow((input, saga) -> {
            saga.step(small, input);
            return saga.step(big, input).substring(0, 12);
        });
        SagaEngine limited = started(engineBuilder().maxPayloadBytes(300).action(small).action(big)
                .workflow("bad-big-output", wf));

        SagaView stuck = limited.start("bad-big-output", "in").await(WAIT);

        assertThat(stuck.status()).isEqualTo(SagaStatus.NEEDS_ATTENTION);
        assertThat(stuck.error()).isNotNull().contains("300");

        limited.shutdown(Duration.ofSeconds(2));
        SagaEngine raised = started(engineBuilder().action(small).action(big).workflow("bad-big-output", wf));
        raised.retry(stuck.id());
        SagaView view = awaitStatus(raised, stuck.id(), SagaStatus.COMPLETED);

        assertThat(ledger.attempts(view.id(), "bigStep", Kind.EXECUTE)).hasSize(2)
                .extracting(Attempt::idempotencyKey).containsOnly(view.id() + ":2");
        assertThat(ledger.attemptCount(view.id(), "smallStep", Kind.EXECUTE)).isEqualTo(1);
        assertThat(decode(view.output(), String.class)).isEqualTo("bigStep(in)x");
    }

    @Test
    void rejectsASignalToAFinishedSaga() {
        SagaEngine engine = started(engineBuilder()
                .workflow("bad-signal-finished", new ScriptedWorkflow((input, saga) -> input)));
        SagaView done = engine.start("bad-signal-finished", "x").await(WAIT);

        assertThatThrownBy(() -> engine.signal(done.id(), "approval", "yes"))
                .isInstanceOf(InvalidSagaStateException.class)
                .hasMessageContaining(done.id());

        assertThat(signalRows(done.id())).isZero();
    }

    @Test
    void rejectsASignalPayloadThatIsTooLargeOrCannotBeSerialised() {
        SagaEngine engine = started(engineBuilder().maxPayloadBytes(64).workflow("bad-signal-payload",
                new ScriptedWorkflow((input, saga) -> saga.awaitSignal("go", String.class, Duration.ofMinutes(5)))));
        SagaView waiting = engine.start("bad-signal-payload", "x").await(WAIT);
        assertThat(waiting.status()).isEqualTo(SagaStatus.WAITING);

        assertThatThrownBy(() -> engine.signal(waiting.id(), "go", "z".repeat(200)))
                .isInstanceOf(PayloadTooLargeException.class)
                .hasMessageContaining("64");
        assertThatThrownBy(() -> engine.signal(waiting.id(), "go", new SelfReference()))
                .isInstanceOf(PayloadException.class);

        assertThat(signalRows(waiting.id())).isZero();
        assertThat(view(engine, waiting.id()).status()).isEqualTo(SagaStatus.WAITING);
    }

    @Test
    void rejectsCancelAndRetryOfAFinishedFailedOrCompensatedSaga() {
        CompensableAction undoable = new CompensableAction("badStatusUndoable", ledger);
        SagaEngine engine = started(engineBuilder().action(undoable)
                .workflow("bad-status-failed", new ScriptedWorkflow((input, saga) -> {
                    throw new IllegalStateException("nothing to do");
                }))
                .workflow("bad-status-compensated", new ScriptedWorkflow((input, saga) -> {
                    saga.step(undoable, input);
                    throw new IllegalStateException("undo it");
                })));
        SagaView failed = engine.start("bad-status-failed", "x").await(WAIT);
        SagaView compensated = engine.start("bad-status-compensated", "x").await(WAIT);
        assertThat(failed.status()).isEqualTo(SagaStatus.FAILED);
        assertThat(compensated.status()).isEqualTo(SagaStatus.COMPENSATED);

        assertThatThrownBy(() -> engine.cancel(failed.id())).isInstanceOf(InvalidSagaStateException.class);
        assertThatThrownBy(() -> engine.retry(failed.id())).isInstanceOf(InvalidSagaStateException.class);
        assertThatThrownBy(() -> engine.cancel(compensated.id())).isInstanceOf(InvalidSagaStateException.class);
        assertThatThrownBy(() -> engine.retry(compensated.id())).isInstanceOf(InvalidSagaStateException.class);
        assertThatThrownBy(() -> engine.start("bad-status-compensated", "x", compensated.id())
                .awaitOutput(String.class, WAIT)).isInstanceOf(SagaNotCompletedException.class);

        assertThat(ledger.attemptCount(compensated.id(), "badStatusUndoable", Kind.COMPENSATE)).isEqualTo(1);
        assertThat(view(engine, failed.id()).status()).isEqualTo(SagaStatus.FAILED);
        assertThat(view(engine, compensated.id()).status()).isEqualTo(SagaStatus.COMPENSATED);
    }

    @Test
    void rejectsOperationsOnASagaInTheWrongStatus() {
        SagaEngine engine = started(engineBuilder()
                .workflow("bad-status-done", new ScriptedWorkflow((input, saga) -> input))
                .workflow("bad-status-waiting", new ScriptedWorkflow(
                        (input, saga) -> saga.awaitSignal("go", String.class, Duration.ofMinutes(5)))));
        SagaView done = engine.start("bad-status-done", "x").await(WAIT);
        SagaView waiting = engine.start("bad-status-waiting", "x").await(WAIT);
        assertThat(done.status()).isEqualTo(SagaStatus.COMPLETED);
        assertThat(waiting.status()).isEqualTo(SagaStatus.WAITING);

        assertThatThrownBy(() -> engine.cancel(done.id())).isInstanceOf(InvalidSagaStateException.class);
        assertThatThrownBy(() -> engine.retry(done.id())).isInstanceOf(InvalidSagaStateException.class);
        assertThatThrownBy(() -> engine.resolve(done.id(), Resolution.retryStep()))
                .isInstanceOf(InvalidSagaStateException.class);
        assertThatThrownBy(() -> engine.retry(waiting.id())).isInstanceOf(InvalidSagaStateException.class);
        assertThatThrownBy(() -> engine.resolve(waiting.id(), Resolution.happened("x")))
                .isInstanceOf(InvalidSagaStateException.class);

        SagaView doneAfter = view(engine, done.id());
        assertThat(doneAfter.status()).isEqualTo(SagaStatus.COMPLETED);
        assertThat(doneAfter.cancelRequested()).isFalse();
        assertThat(view(engine, waiting.id()).status()).isEqualTo(SagaStatus.WAITING);
    }

    @Test
    void rejectsOperationsOnAnUnknownId() {
        SagaEngine engine = started(engineBuilder()
                .workflow("bad-unknown-id", new ScriptedWorkflow((input, saga) -> input)));

        assertThat(engine.find("no-such-saga")).isEmpty();
        assertThatThrownBy(() -> engine.signal("no-such-saga", "go", "x")).isInstanceOf(SagaNotFoundException.class)
                .hasMessageContaining("no-such-saga");
        assertThatThrownBy(() -> engine.cancel("no-such-saga")).isInstanceOf(SagaNotFoundException.class);
        assertThatThrownBy(() -> engine.retry("no-such-saga")).isInstanceOf(SagaNotFoundException.class);
        assertThatThrownBy(() -> engine.resolve("no-such-saga", Resolution.compensate()))
                .isInstanceOf(SagaNotFoundException.class);

        assertThat(signalRows("no-such-saga")).isZero();
        assertThat(instanceRows("no-such-saga")).isZero();
    }

    /** Jackson refuses to serialise an object whose property is the object itself. */
    public static final class SelfReference {

        public SelfReference getSelf() {
            return this;
        }
    }

    /** COMPENSABLE by default, but forgot its compensation. */
    static final class SendsInvoice implements SagaAction<String, String> {

        @Override
        public String execute(String input, ActionContext ctx) {
            return input;
        }
    }

    /** Declared READ_ONLY: no compensation needed. */
    static final class LooksUpPrice implements SagaAction<String, String> {

        @Override
        public String execute(String input, ActionContext ctx) {
            return input;
        }

        @Override
        public Reversibility reversibility() {
            return Reversibility.READ_ONLY;
        }
    }

    /** Declared IRREVERSIBLE: no compensation possible. */
    static final class SendsInvoiceOnce implements SagaAction<String, String> {

        @Override
        public String execute(String input, ActionContext ctx) {
            return input;
        }

        @Override
        public Reversibility reversibility() {
            return Reversibility.IRREVERSIBLE;
        }
    }

    /** Lets a lambda be READ_ONLY, so the only thing wrong with it is that it is a lambda. */
    @FunctionalInterface
    interface ReadOnlySagaAction<I, O> extends SagaAction<I, O> {

        @Override
        default Reversibility reversibility() {
            return Reversibility.READ_ONLY;
        }
    }
}
