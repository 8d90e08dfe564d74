package dev.agentsaga.crash;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import dev.agentsaga.Reversibility;
import dev.agentsaga.SagaStatus;
import dev.agentsaga.SagaView;
import dev.agentsaga.StepKind;
import dev.agentsaga.StepStatus;
import dev.agentsaga.StepView;
import dev.agentsaga.crash.Downstream.Attempt;
import dev.agentsaga.crash.Downstream.Effect;
import dev.agentsaga.crash.Downstream.Kind;
import dev.agentsaga.crash.Downstream.Phase;

/**
 * What must hold for every saga of a {@link ChaosTest} once the nodes are done, read from the journal and
 * the downstream tables. Violations are collected rather than thrown, so that one run reports all of them.
 *
 * <p>The downstream deduplicates compensable effects by idempotency key, as a real API would; what the
 * engine must guarantee is that every attempt carries the step's key, that a step is executed again only
 * when a kill cut its previous attempt short (or left its result unjournaled), and that an IRREVERSIBLE
 * step is never executed again without an operator's decision. The effects table then shows each effect
 * and each undo at most once per key.
 */
final class ChaosInvariants {

    private final Set<Integer> killedRuns;

    private final Set<String> takenOver;

    private final List<String> violations = new ArrayList<>();

    /** {@code killedRuns}: the run numbers of the node JVMs the driver killed. */
    ChaosInvariants(Set<Integer> killedRuns) {
        this(killedRuns, Set.of());
    }

    /**
     * {@code takenOver}: {@link #takenOver(int, String)} of each run that was paused past a saga's lease
     * (a loaded machine can stall a node JVM that long) and found the saga taken over: fencing stopped it
     * writing, so the new owner runs the step again with its key, as after a kill.
     */
    ChaosInvariants(Set<Integer> killedRuns, Set<String> takenOver) {
        this.killedRuns = Set.copyOf(killedRuns);
        this.takenOver = Set.copyOf(takenOver);
    }

    static String takenOver(int run, String sagaId) {
        return run + " " + sagaId;
    }

    List<String> violations() {
        return violations;
    }

    void violation(String text) {
        violations.add(text);
    }

    /** Checks one saga; {@code operatorRetried} when its in-doubt IRREVERSIBLE step was resolved with retryStep. */
    void check(String sagaId, ChaosWorkflow workflow, SagaView view, List<Attempt> attempts, List<Effect> effects,
            boolean operatorRetried) {
        String saga = sagaId + " (" + workflow + ")";
        if (view.status() != workflow.expectedStatus()) {
            violation(saga + " rests as " + view.status() + ", expected " + workflow.expectedStatus() + "; error: "
                    + view.error());
        }
        else if (view.status() == SagaStatus.COMPLETED
                && !("\"" + workflow.expectedOutput(sagaId) + "\"").equals(view.output())) {
            violation(saga + " completed with output " + view.output() + ", expected "
                    + workflow.expectedOutput(sagaId));
        }
        Map<Integer, StepView> journal = view.steps().stream()
                .collect(Collectors.toMap(StepView::seq, Function.identity()));
        checkJournal(saga, workflow, view, journal);
        checkEffects(saga, sagaId, workflow, journal, effects);
        checkAttempts(saga, sagaId, workflow, journal, attempts, operatorRetried);
        checkCompensationOrder(saga, journal, attempts);
    }

    private void checkJournal(String saga, ChaosWorkflow workflow, SagaView view, Map<Integer, StepView> journal) {
        List<String> script = workflow.script();
        if (journal.size() != script.size()) {
            violation(saga + " journaled " + journal.size() + " steps, the script has " + script.size() + ": "
                    + view.steps().stream().map(step -> step.seq() + ":" + step.name() + ":" + step.status()).toList());
        }
        for (int seq = 1; seq <= script.size(); seq++) {
            StepView step = journal.get(seq);
            String move = script.get(seq - 1);
            if (step == null) {
                violation(saga + " has no journal entry for step " + seq + " (" + move + ")");
                continue;
            }
            StepKind kind = move.equals(ChaosWorkflow.SLEEP) ? StepKind.SLEEP
                    : move.equals(ChaosWorkflow.GO) ? StepKind.SIGNAL : StepKind.ACTION;
            if (!step.name().equals(move) || step.kind() != kind || step.reversibility() != ChaosWorkflow
                    .reversibilityOf(move)) {
                violation(saga + " step " + seq + " is " + step.name() + "/" + step.kind() + "/"
                        + step.reversibility() + ", the script says " + move);
            }
            StepStatus expected = expectedStatus(workflow, move);
            if (step.status() != expected) {
                violation(saga + " step " + seq + " (" + move + ") is " + step.status() + ", expected " + expected);
            }
        }
    }

    private static StepStatus expectedStatus(ChaosWorkflow workflow, String move) {
        if (move.equals(ChaosWorkflow.FAILING)) {
            return StepStatus.FAILED;
        }
        if (workflow.expectedStatus() == SagaStatus.COMPENSATED
                && ChaosWorkflow.reversibilityOf(move) == Reversibility.COMPENSABLE) {
            return StepStatus.COMPENSATED;
        }
        return StepStatus.SUCCEEDED;
    }

    /** Each effect of a step that succeeded exactly once, each undo of a compensated step exactly once, nothing else. */
    private void checkEffects(String saga, String sagaId, ChaosWorkflow workflow, Map<Integer, StepView> journal,
            List<Effect> effects) {
        Map<String, Long> perKeyAndKind = effects.stream()
                .collect(Collectors.groupingBy(effect -> effect.idempotencyKey() + " " + effect.kind(),
                        LinkedHashMap::new, Collectors.counting()));
        perKeyAndKind.forEach((key, count) -> {
            if (count > 1) {
                violation(saga + ": effect " + key + " happened " + count + " times");
            }
        });
        for (Effect effect : effects) {
            if (!effect.idempotencyKey().equals(sagaId + ":" + effect.step()) || !nameAt(workflow, effect.step())
                    .equals(effect.action())) {
                violation(saga + ": effect " + effect + " does not match the step at its key");
            }
        }
        for (StepView step : journal.values()) {
            Reversibility reversibility = step.reversibility();
            if (step.kind() != StepKind.ACTION || reversibility == null) {
                continue;
            }
            boolean happened = step.status() == StepStatus.SUCCEEDED || step.status() == StepStatus.COMPENSATED;
            long expectedDo = happened && reversibility != Reversibility.READ_ONLY ? 1 : 0;
            long expectedUndo = step.status() == StepStatus.COMPENSATED ? 1 : 0;
            long done = count(effects, step.seq(), Kind.DO);
            long undone = count(effects, step.seq(), Kind.UNDO);
            if (done != expectedDo || undone != expectedUndo) {
                violation(saga + " step " + step.seq() + " (" + step.name() + ", " + reversibility + ", "
                        + step.status() + "): " + done + " effects and " + undone + " undos, expected " + expectedDo
                        + " and " + expectedUndo);
            }
        }
    }

    private void checkAttempts(String saga, String sagaId, ChaosWorkflow workflow, Map<Integer, StepView> journal,
            List<Attempt> attempts, boolean operatorRetried) {
        for (Attempt attempt : attempts) {
            if (!attempt.idempotencyKey().equals(sagaId + ":" + attempt.step())
                    || !nameAt(workflow, attempt.step()).equals(attempt.action())) {
                violation(saga + ": attempt " + attempt + " does not carry the key of its step");
            }
            if (attempt.outcome() == null && !killedRuns.contains(attempt.run())) {
                violation(saga + ": attempt " + attempt + " never ended, but run " + attempt.run() + " was not killed");
            }
            StepView step = journal.get(attempt.step());
            if (attempt.phase() == Phase.COMPENSATE && (step == null || step.status() != StepStatus.COMPENSATED)) {
                violation(saga + ": step " + attempt.step() + " was compensated but is "
                        + (step == null ? "not journaled" : step.status()));
            }
        }
        Map<String, List<Attempt>> byKeyAndPhase = attempts.stream()
                .collect(Collectors.groupingBy(attempt -> attempt.idempotencyKey() + " " + attempt.phase(),
                        LinkedHashMap::new, Collectors.toList()));
        byKeyAndPhase.forEach((key, same) -> {
            for (Attempt earlier : same.subList(0, same.size() - 1)) {
                if (!"FAILED".equals(earlier.outcome()) && !killedRuns.contains(earlier.run())
                        && !takenOver.contains(takenOver(earlier.run(), sagaId))) {
                    violation(saga + ": " + key + " ran again after " + earlier + ", but run " + earlier.run()
                            + " was neither killed nor fenced off the saga: " + same);
                }
            }
            Attempt first = same.get(0);
            if (first.phase() == Phase.EXECUTE && same.size() > 1
                    && ChaosWorkflow.reversibilityOf(first.action()) == Reversibility.IRREVERSIBLE && !operatorRetried) {
                violation(saga + ": IRREVERSIBLE " + key + " ran " + same.size() + " times without an operator's retry");
            }
        });
    }

    /** Compensations began after the last execution, in reverse order of the steps' sequence. */
    private void checkCompensationOrder(String saga, Map<Integer, StepView> journal, List<Attempt> attempts) {
        List<Integer> began = attempts.stream()
                .filter(attempt -> attempt.phase() == Phase.COMPENSATE)
                .sorted(Comparator.comparingLong(Attempt::id))
                .map(Attempt::step)
                .distinct()
                .toList();
        List<Integer> compensated = journal.values().stream()
                .filter(step -> step.status() == StepStatus.COMPENSATED)
                .map(StepView::seq)
                .sorted(Comparator.reverseOrder())
                .toList();
        if (!began.equals(compensated)) {
            violation(saga + ": compensations began in the order " + began + ", the compensated steps in reverse are "
                    + compensated);
        }
        long lastExecution = attempts.stream().filter(a -> a.phase() == Phase.EXECUTE).mapToLong(Attempt::id).max()
                .orElse(Long.MIN_VALUE);
        long firstCompensation = attempts.stream().filter(a -> a.phase() == Phase.COMPENSATE).mapToLong(Attempt::id)
                .min().orElse(Long.MAX_VALUE);
        if (firstCompensation < lastExecution) {
            violation(saga + ": a compensation (attempt " + firstCompensation + ") began before the last execution "
                    + "(attempt " + lastExecution + ")");
        }
    }

    private static String nameAt(ChaosWorkflow workflow, int step) {
        return step >= 1 && step <= workflow.script().size() ? workflow.script().get(step - 1) : "?";
    }

    private static long count(List<Effect> effects, int step, Kind kind) {
        return effects.stream().filter(effect -> effect.step() == step && effect.kind() == kind).count();
    }
}
