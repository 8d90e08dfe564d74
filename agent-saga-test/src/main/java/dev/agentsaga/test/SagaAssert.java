package dev.agentsaga.test;

import java.util.Comparator;
import java.util.List;
import java.util.Objects;

import org.assertj.core.api.AbstractAssert;

import dev.agentsaga.SagaStatus;
import dev.agentsaga.SagaView;
import dev.agentsaga.StepKind;
import dev.agentsaga.StepStatus;
import dev.agentsaga.StepView;

/**
 * AssertJ assertions on a saga as recorded: its status, its steps in order, what was compensated and
 * in which order, idempotency keys and tokens. Start with {@link SagaAssertions#assertThatSaga}.
 */
public final class SagaAssert extends AbstractAssert<SagaAssert, SagaView> {

    SagaAssert(SagaView actual) {
        super(actual, SagaAssert.class);
    }

    /** The saga is in {@code status}. */
    public SagaAssert hasStatus(SagaStatus status) {
        isNotNull();
        if (actual.status() != status) {
            failWithMessage("Expected saga %s to be %s but it is %s%s", actual.id(), status, actual.status(),
                    actual.error() == null ? "" : " (" + actual.error() + ")");
        }
        return this;
    }

    /** The saga completed. */
    public SagaAssert isCompleted() {
        return hasStatus(SagaStatus.COMPLETED);
    }

    /** The saga compensated what it had done. */
    public SagaAssert isCompensated() {
        return hasStatus(SagaStatus.COMPENSATED);
    }

    /** The saga waits for an operator. */
    public SagaAssert needsAttention() {
        return hasStatus(SagaStatus.NEEDS_ATTENTION);
    }

    /** The saga's error contains {@code text}. */
    public SagaAssert hasErrorContaining(String text) {
        isNotNull();
        if (actual.error() == null || !actual.error().contains(text)) {
            failWithMessage("Expected the error of saga %s to contain \"%s\" but it is %s", actual.id(), text,
                    actual.error());
        }
        return this;
    }

    /** The journal holds steps of exactly these names, in sequence order. */
    public SagaAssert hasStepNames(String... names) {
        isNotNull();
        List<String> recorded = actual.steps().stream().map(StepView::name).toList();
        if (!recorded.equals(List.of(names))) {
            failWithMessage("Expected the steps of saga %s to be%n  %s%nbut they are%n  %s", actual.id(),
                    List.of(names), describe(actual.steps()));
        }
        return this;
    }

    /** Step {@code seq} has this kind, name and status. */
    public SagaAssert hasStep(int seq, StepKind kind, String name, StepStatus status) {
        StepView step = step(seq);
        if (step.kind() != kind || !step.name().equals(name) || step.status() != status) {
            failWithMessage("Expected step %s of saga %s to be %s %s %s but it is %s", seq, actual.id(), kind, name,
                    status, describe(List.of(step)));
        }
        return this;
    }

    /** The steps that were compensated are exactly these, compensated in this order (by the time each was undone). */
    public SagaAssert compensatedInOrder(String... names) {
        isNotNull();
        List<String> compensated = actual.steps().stream().filter(s -> s.status() == StepStatus.COMPENSATED)
                .sorted(Comparator.comparing(StepView::compensatedAt, Comparator.nullsLast(Comparator.naturalOrder()))
                        .thenComparing(Comparator.comparingInt(StepView::seq).reversed()))
                .map(StepView::name).toList();
        if (!compensated.equals(List.of(names))) {
            failWithMessage("Expected saga %s to have compensated %s in this order but it compensated %s",
                    actual.id(), List.of(names), compensated);
        }
        return this;
    }

    /** Nothing was compensated. */
    public SagaAssert compensatedNothing() {
        return compensatedInOrder();
    }

    /** The first step named {@code name} has the idempotency key {@code key}. */
    public SagaAssert hasIdempotencyKey(String name, String key) {
        StepView step = step(name);
        if (!step.idempotencyKey().equals(key)) {
            failWithMessage("Expected step %s of saga %s to have the key %s but it has %s", name, actual.id(), key,
                    step.idempotencyKey());
        }
        return this;
    }

    /** The saga's model calls spent {@code tokens} tokens, input and output. */
    public SagaAssert spentTokens(long tokens) {
        isNotNull();
        if (actual.tokensSpent() != tokens) {
            failWithMessage("Expected saga %s to have spent %s tokens but it spent %s", actual.id(), tokens,
                    actual.tokensSpent());
        }
        return this;
    }

    /** Recoveries answered {@code tokens} tokens of model calls from the journal (see {@link SagaView#tokensSaved()}). */
    public SagaAssert savedTokens(long tokens) {
        isNotNull();
        if (actual.tokensSaved() != tokens) {
            failWithMessage("Expected saga %s to have saved %s tokens but it saved %s", actual.id(), tokens,
                    actual.tokensSaved());
        }
        return this;
    }

    /** Resumes after waits answered {@code tokens} tokens from the journal (see {@link SagaView#tokensReplayed()}). */
    public SagaAssert replayedTokens(long tokens) {
        isNotNull();
        if (actual.tokensReplayed() != tokens) {
            failWithMessage("Expected saga %s to have replayed %s tokens after waits but it replayed %s",
                    actual.id(), tokens, actual.tokensReplayed());
        }
        return this;
    }

    /**
     * The saga started exactly these children ({@code Saga.startChild}), in the order of their steps, each now
     * in {@code status}.
     */
    public SagaAssert hasChildrenIn(SagaStatus status, String... childIds) {
        isNotNull();
        List<String> children = actual.children().stream().map(child -> child.id() + " " + child.status()).toList();
        List<String> expected = java.util.Arrays.stream(childIds).map(id -> id + " " + status).toList();
        if (!children.equals(expected)) {
            failWithMessage("Expected saga %s to have the children%n  %s%nbut it has%n  %s", actual.id(), expected,
                    children);
        }
        return this;
    }

    /** The saga is a fork of {@code sourceId} that ran from step {@code fromStep} ({@code SagaCoordinator.fork}). */
    public SagaAssert isForkOf(String sourceId, int fromStep) {
        isNotNull();
        if (!Objects.equals(actual.forkedFrom(), sourceId) || !Objects.equals(actual.forkStep(), fromStep)) {
            failWithMessage("Expected saga %s to be a fork of %s from step %s but it is %s", actual.id(), sourceId,
                    fromStep, actual.forkedFrom() == null ? "not a fork"
                            : "a fork of " + actual.forkedFrom() + " from step " + actual.forkStep());
        }
        return this;
    }

    private StepView step(int seq) {
        isNotNull();
        return actual.steps().stream().filter(s -> s.seq() == seq).findFirst().orElseThrow(() -> failure(
                "Saga %s has no step %s; its steps are %s", actual.id(), seq, describe(actual.steps())));
    }

    private StepView step(String name) {
        isNotNull();
        return actual.steps().stream().filter(s -> Objects.equals(s.name(), name)).findFirst().orElseThrow(
                () -> failure("Saga %s has no step %s; its steps are %s", actual.id(), name,
                        describe(actual.steps())));
    }

    private static String describe(List<StepView> steps) {
        return String.join(", ", steps.stream().map(s -> s.seq() + " " + s.kind() + " " + s.name() + " "
                + s.status()).toList());
    }
}
