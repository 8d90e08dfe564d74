package dev.agentsaga.crash;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import dev.agentsaga.Reversibility;
import dev.agentsaga.SagaStatus;
import dev.agentsaga.SagaView;
import dev.agentsaga.StepStatus;
import dev.agentsaga.StepView;
import dev.agentsaga.crash.Downstream.Attempt;
import dev.agentsaga.crash.Downstream.Effect;
import dev.agentsaga.crash.Downstream.Kind;
import dev.agentsaga.crash.Downstream.Phase;

/**
 * What must hold after any crash, read from the journal (through the public {@code find}) and from the
 * downstream tables: nothing lost, nothing done twice, compensations in reverse order.
 */
final class CrashInvariants {

    private CrashInvariants() {
    }

    /** The journal as a run found it when it started. */
    record JournalSnapshot(Set<Integer> settled, Set<Integer> inDoubt, Set<Integer> compensated) {

        static JournalSnapshot of(SagaView view) {
            Set<Integer> settled = new LinkedHashSet<>();
            Set<Integer> inDoubt = new LinkedHashSet<>();
            Set<Integer> compensated = new LinkedHashSet<>();
            for (StepView step : view.steps()) {
                if (step.status() != StepStatus.STARTED) {
                    settled.add(step.seq());
                }
                else if (step.reversibility() == Reversibility.IRREVERSIBLE) {
                    inDoubt.add(step.seq());
                }
                if (step.status() == StepStatus.COMPENSATED) {
                    compensated.add(step.seq());
                }
            }
            return new JournalSnapshot(settled, inDoubt, compensated);
        }
    }

    /**
     * No step whose outcome was journaled before a run started was executed by that run, no in-doubt
     * IRREVERSIBLE step was executed by a run other than an operator's retry, and no step journaled
     * COMPENSATED was compensated again.
     */
    static void assertNothingJournaledRanAgain(List<Attempt> attempts, Map<Integer, JournalSnapshot> journalBeforeRun,
            Set<Integer> operatorRetryRuns) {
        List<String> violations = new ArrayList<>();
        for (Attempt attempt : attempts) {
            JournalSnapshot before = journalBeforeRun.get(attempt.run());
            if (before == null) {
                continue;
            }
            if (attempt.phase() == Phase.EXECUTE && before.settled().contains(attempt.step())) {
                violations.add(attempt + ": the step's outcome was journaled before run " + attempt.run());
            }
            if (attempt.phase() == Phase.EXECUTE && before.inDoubt().contains(attempt.step())
                    && !operatorRetryRuns.contains(attempt.run())) {
                violations.add(attempt + ": the IRREVERSIBLE step was in doubt before run " + attempt.run()
                        + " and nobody asked for a retry");
            }
            if (attempt.phase() == Phase.COMPENSATE && before.compensated().contains(attempt.step())) {
                violations.add(attempt + ": the step was journaled COMPENSATED before run " + attempt.run());
            }
        }
        assertThat(violations).as("steps the engine ran again although the journal had them").isEmpty();
    }

    /** Every attempt got the engine's key, sagaId:step, for execution and compensation alike. */
    static void assertKeysComeFromTheEngine(String sagaId, List<Attempt> attempts) {
        assertThat(attempts).as("attempts of saga " + sagaId).isNotEmpty()
                .allSatisfy(attempt -> assertThat(attempt.idempotencyKey()).as(attempt.toString())
                        .isEqualTo(sagaId + ":" + attempt.step()));
    }

    /** At most one effect and one undo per idempotency key, and no undo of an effect that never happened. */
    static void assertEffectsAtMostOncePerKey(List<Effect> effects) {
        Map<String, List<Effect>> byKeyAndKind = effects.stream()
                .collect(Collectors.groupingBy(effect -> effect.idempotencyKey() + " " + effect.kind()));
        assertThat(byKeyAndKind.values()).as("effects per key and kind").allSatisfy(
                same -> assertThat(same).as("effects under one key").hasSize(1));
        Set<String> done = keys(effects, Kind.DO);
        assertThat(keys(effects, Kind.UNDO)).as("keys undone").isSubsetOf(done);
    }

    /**
     * For crashes inside an action: no execution and no compensation ran to its end twice under one key
     * (the one in flight at the crash ran again, but had not ended).
     */
    static void assertNoAttemptEndedTwice(List<Attempt> attempts) {
        Map<String, Long> ended = attempts.stream()
                .filter(attempt -> "OK".equals(attempt.outcome()))
                .collect(Collectors.groupingBy(attempt -> attempt.idempotencyKey() + " " + attempt.phase(),
                        Collectors.counting()));
        assertThat(ended).as("successful attempts per key and phase").allSatisfy(
                (key, count) -> assertThat(count).as(key).isEqualTo(1L));
    }

    /** The saga completed with every step SUCCEEDED, each effect once and nothing undone. */
    static void assertCompleted(SagaView view, int steps, List<Attempt> attempts, List<Effect> effects) {
        assertThat(view.status()).as("status of %s, error %s", view.id(), view.error()).isEqualTo(SagaStatus.COMPLETED);
        assertThat(view.steps()).extracting(StepView::seq).as("journaled steps")
                .containsExactlyElementsOf(IntStream.rangeClosed(1, steps).boxed().toList());
        assertThat(view.steps()).as("journal").allSatisfy(
                step -> assertThat(step.status()).as("step " + step.seq()).isEqualTo(StepStatus.SUCCEEDED));
        assertThat(attempts).as("compensations of a completed saga")
                .noneMatch(attempt -> attempt.phase() == Phase.COMPENSATE);
        for (StepView step : view.steps()) {
            long done = effects.stream().filter(e -> e.step() == step.seq() && e.kind() == Kind.DO).count();
            assertThat(done).as("effects of step %d (%s, %s)", step.seq(), step.name(), step.reversibility())
                    .isEqualTo(step.reversibility() == Reversibility.READ_ONLY ? 0 : 1);
        }
    }

    /**
     * The saga compensated: the failing step is FAILED and not compensated, every other COMPENSABLE step
     * is COMPENSATED with its effect undone once, compensations began after the last execution and in
     * reverse order of the steps' sequence.
     */
    static void assertCompensatedInReverse(SagaView view, int steps, int failingStep, List<Attempt> attempts,
            List<Effect> effects) {
        assertThat(view.status()).as("status of %s, error %s", view.id(), view.error())
                .isEqualTo(SagaStatus.COMPENSATED);
        assertThat(view.error()).as("why the saga compensated").isNotBlank();
        assertThat(view.steps()).extracting(StepView::seq).as("journaled steps")
                .containsExactlyElementsOf(IntStream.rangeClosed(1, steps).boxed().toList());
        Map<Integer, StepView> bySeq = view.steps().stream().collect(Collectors.toMap(StepView::seq, Function.identity()));
        assertThat(bySeq.get(failingStep).status()).as("the failing step").isEqualTo(StepStatus.FAILED);
        List<Integer> compensable = view.steps().stream()
                .filter(step -> step.seq() != failingStep && step.reversibility() == Reversibility.COMPENSABLE)
                .map(StepView::seq)
                .sorted(Comparator.reverseOrder())
                .toList();
        for (int seq : compensable) {
            assertThat(bySeq.get(seq).status()).as("step " + seq).isEqualTo(StepStatus.COMPENSATED);
            assertThat(effects).as("effect and undo of step " + seq)
                    .filteredOn(effect -> effect.step() == seq).extracting(Effect::kind)
                    .containsExactlyInAnyOrder(Kind.DO, Kind.UNDO);
        }
        List<Integer> compensationOrder = attempts.stream()
                .filter(attempt -> attempt.phase() == Phase.COMPENSATE)
                .map(Attempt::step)
                .distinct()
                .toList();
        assertThat(compensationOrder).as("steps in the order their compensation first began")
                .containsExactlyElementsOf(compensable);
        long lastExecution = attempts.stream().filter(a -> a.phase() == Phase.EXECUTE).mapToLong(Attempt::id).max()
                .orElseThrow();
        long firstCompensation = attempts.stream().filter(a -> a.phase() == Phase.COMPENSATE).mapToLong(Attempt::id)
                .min().orElseThrow();
        assertThat(firstCompensation).as("first compensation after the last execution").isGreaterThan(lastExecution);
    }

    private static Set<String> keys(List<Effect> effects, Kind kind) {
        return effects.stream().filter(effect -> effect.kind() == kind).map(Effect::idempotencyKey)
                .collect(Collectors.toSet());
    }
}
