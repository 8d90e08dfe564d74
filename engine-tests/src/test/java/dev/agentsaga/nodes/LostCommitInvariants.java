package dev.agentsaga.nodes;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;

import dev.agentsaga.SagaStatus;
import dev.agentsaga.SagaView;
import dev.agentsaga.StepStatus;
import dev.agentsaga.StepView;
import dev.agentsaga.nodes.FaultyPostgresProxy.Fault;
import dev.agentsaga.nodes.FaultyPostgresProxy.Injected;
import dev.agentsaga.testing.ActionScript;
import dev.agentsaga.testing.EffectLedger;

/**
 * What must hold for every saga of a {@link LostCommitAcknowledgementTest} once the nodes are done, read
 * from the journal (past the proxy) and the effect ledger, in the spirit of the chaos test's: the saga
 * completed with the output of its steps; its journal holds the steps in order, each SUCCEEDED; every
 * execution carries the key of a journaled step of the same action (else it is counted doubled); a key
 * was executed more than once only where a lost acknowledgement hit a write of that step (the action is
 * idempotent by key, so this is allowed, and counted); the ledger holds one effect per journaled key and
 * no undo. Violations are collected rather than thrown, so that one run reports all of them.
 */
final class LostCommitInvariants {

    private final EffectLedger ledger;

    private final List<String> actions;

    /** "sagaId action" for each step write whose acknowledgement the proxy lost. */
    private final Set<String> hitWrites;

    private final List<String> violations = new ArrayList<>();

    private int lost;

    private int stuck;

    private int doubled;

    private int misordered;

    private int reruns;

    /** {@code actions}: the names of the workflow's steps, in order; {@code injected}: what the proxy did. */
    LostCommitInvariants(EffectLedger ledger, List<String> actions, List<Injected> injected) {
        this.ledger = ledger;
        this.actions = List.copyOf(actions);
        this.hitWrites = hitWrites(injected);
    }

    /**
     * Checks one saga: its status as the test last saw it (null when absent) and its view (null when it
     * did not rest).
     */
    void check(String sagaId, String input, @Nullable SagaStatus status, @Nullable SagaView view) {
        if (status == null || view == null) {
            stuck++;
            violations.add(sagaId + " is " + (status == null ? "absent" : status + ", not at rest"));
            return;
        }
        if (status != SagaStatus.COMPLETED) {
            lost++;
            violations.add(sagaId + " rests as " + status + ": " + view.error());
        }
        else if (!("\"" + expectedOutput(input) + "\"").equals(view.output())) {
            violations.add(sagaId + " completed with output " + view.output());
        }
        if (!inOrder(view)) {
            misordered++;
            violations.add(sagaId + " journaled " + view.steps().stream()
                    .map(step -> step.seq() + ":" + step.name() + ":" + step.status()).toList());
        }
        checkExecutions(sagaId, view);
        checkEffects(sagaId, view);
    }

    List<String> violations() {
        return violations;
    }

    /** Sagas that rest other than COMPLETED. */
    int lost() {
        return lost;
    }

    /** Sagas absent or not at rest. */
    int stuck() {
        return stuck;
    }

    /** Executions under a key that no journaled step of their action has. */
    int doubled() {
        return doubled;
    }

    /** Journals not in order 1..n with every step SUCCEEDED. */
    int misordered() {
        return misordered;
    }

    /** Executions beyond the first under the same key. */
    int reruns() {
        return reruns;
    }

    private void checkExecutions(String sagaId, SagaView view) {
        Map<String, String> journaled = view.steps().stream()
                .collect(Collectors.toMap(StepView::idempotencyKey, StepView::name));
        List<EffectLedger.Attempt> executions = ledger.attempts(sagaId, EffectLedger.Kind.EXECUTE);
        for (EffectLedger.Attempt execution : executions) {
            if (!execution.action().equals(journaled.get(execution.idempotencyKey()))) {
                doubled++;
                violations.add(sagaId + ": " + execution + " carries no key of a journaled " + execution.action());
            }
        }
        Map<String, Long> perKey = executions.stream().collect(Collectors.groupingBy(
                EffectLedger.Attempt::idempotencyKey, LinkedHashMap::new, Collectors.counting()));
        perKey.forEach((key, times) -> {
            reruns += (int) (times - 1);
            String action = journaled.get(key);
            if (times > 1 && !hitWrites.contains(sagaId + " " + action)) {
                violations.add(sagaId + ": " + action + " ran " + times + " times under " + key
                        + ", but no lost acknowledgement hit a write of it");
            }
        });
    }

    /** One effect per journaled step, under its key; no undo. */
    private void checkEffects(String sagaId, SagaView view) {
        List<String> keys = ledger.effects(sagaId, EffectLedger.Kind.EXECUTE).stream()
                .map(EffectLedger.Effect::idempotencyKey).toList();
        List<String> journaled = view.steps().stream().map(StepView::idempotencyKey).toList();
        if (!new HashSet<>(keys).equals(new HashSet<>(journaled)) || keys.size() != journaled.size()) {
            violations.add(sagaId + ": effects under " + keys + ", journaled keys " + journaled);
        }
        List<String> compensated = ledger.compensated(sagaId);
        if (!compensated.isEmpty()) {
            violations.add(sagaId + " was compensated: " + compensated);
        }
    }

    private boolean inOrder(SagaView view) {
        List<StepView> steps = view.steps();
        if (steps.size() != actions.size()) {
            return false;
        }
        for (int i = 0; i < steps.size(); i++) {
            StepView step = steps.get(i);
            if (step.seq() != i + 1 || !step.name().equals(actions.get(i)) || step.status() != StepStatus.SUCCEEDED) {
                return false;
            }
        }
        return true;
    }

    private String expectedOutput(String input) {
        String out = input;
        for (String action : actions) {
            out = ActionScript.outputOf(action, out);
        }
        return out;
    }

    /**
     * "sagaId action" for every write the proxy lost the commit acknowledgement of: a step's journal write
     * binds the saga's id and the step's name as text (pairing every text parameter with the id is coarse,
     * but only the action names among them ever match).
     */
    private static Set<String> hitWrites(List<Injected> injected) {
        Set<String> hit = new HashSet<>();
        for (Injected fault : injected) {
            if (fault.fault() != Fault.ACK_LOST && fault.fault() != Fault.CUT_AFTER_COMMIT) {
                continue;
            }
            for (List<String> parameters : fault.writes()) {
                for (String sagaId : parameters) {
                    parameters.forEach(name -> hit.add(sagaId + " " + name));
                }
            }
        }
        return hit;
    }
}
