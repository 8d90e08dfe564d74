package dev.agentsaga.engine;

import static dev.agentsaga.engine.RunJournal.label;

import java.lang.reflect.Type;
import java.time.Instant;
import java.util.Optional;

import org.jspecify.annotations.Nullable;

import dev.agentsaga.ChildSagaFailedException;
import dev.agentsaga.InvalidSagaIdException;
import dev.agentsaga.Reversibility;
import dev.agentsaga.SagaChild;
import dev.agentsaga.SagaStatus;
import dev.agentsaga.StepKind;
import dev.agentsaga.StepStatus;
import dev.agentsaga.spi.InstanceRecord;
import dev.agentsaga.spi.NewSaga;
import dev.agentsaga.spi.StepRecord;
import dev.agentsaga.support.Digests;

/**
 * The child kind of step ({@link dev.agentsaga.Saga#startChild}): the step that starts a child saga, and
 * the join that waits for it. Starting journals the step and inserts the child in one commit; the child is
 * PENDING and any node that runs its workflow claims it. Joining answers from the step once it recorded the
 * child's outcome; before that it reads the child's row, records the outcome when the child rested, and
 * otherwise parks the parent until the child wakes it.
 */
final class ChildStep {

    private final EngineServices services;

    private final RunJournal run;

    ChildStep(EngineServices services, RunJournal run) {
        this.services = services;
        this.run = run;
    }

    /**
     * The id of the child that step {@code step} of saga {@code parentId} starts: {@code parentId:step}, or,
     * when that is longer than an id may be, a digest of the parent's id in its place.
     */
    static String childId(String parentId, int step) {
        String id = parentId + ":" + step;
        return id.length() <= InvalidSagaIdException.MAX_LENGTH ? id
                : "child-" + Digests.sha256Hex(parentId) + ":" + step;
    }

    <T> SagaChild<T> start(Registry.WorkflowEntry workflow, @Nullable Object input, Type outputType) {
        Integer seq = run.step(workflow.name(), StepKind.CHILD, StepRecord::seq, n -> startNew(workflow, input, n));
        int n = java.util.Objects.requireNonNull(seq, "a child step has a sequence");
        return new Child<>(childId(run.sagaId(), n), n, outputType);
    }

    private Integer startNew(Registry.WorkflowEntry workflow, @Nullable Object input, int n) {
        String inputJson = services.encode(input, () -> "input of the child of " + label(n, workflow.name()),
                run.sagaId(), n);
        Instant now = services.now();
        StepRecord step = StepRecord.of(run.sagaId(), n, workflow.name(), StepKind.CHILD, Reversibility.COMPENSABLE,
                StepStatus.STARTED, inputJson, null, null, 1, now, null);
        run.startChild(step, NewSaga.child(childId(run.sagaId(), n), workflow.name(), workflow.version(), inputJson,
                run.sagaId(), n, now));
        return n;
    }

    /** A child started in this run, or found in the journal on replay. */
    private final class Child<T> implements SagaChild<T> {

        private final String id;

        private final int step;

        private final Type outputType;

        Child(String id, int step, Type outputType) {
            this.id = id;
            this.step = step;
            this.outputType = outputType;
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public int step() {
            return step;
        }

        @Override
        @SuppressWarnings("unchecked")
        public @Nullable T join() {
            StepRecord entry = run.entry(step);
            if (entry.status() != StepStatus.STARTED) {
                return (T) run.recorded(entry, outputType);
            }
            Optional<InstanceRecord> child = run.read(() -> services.store().findInstance(id));
            SagaStatus status = child.map(InstanceRecord::status).orElse(null);
            Instant now = services.now();
            if (status == SagaStatus.COMPLETED) {
                StepRecord joined = entry.finished(StepStatus.SUCCEEDED, child.get().output(), null, 1, now);
                run.write(joined);
                return (T) run.recorded(joined, outputType);
            }
            if (status == SagaStatus.COMPENSATED || status == SagaStatus.FAILED) {
                ChildSagaFailedException failure = new ChildSagaFailedException("Child saga " + id + " ("
                        + entry.name() + ") ended " + status + ": " + child.get().error(), run.sagaId(), step, id,
                        status);
                StepRecord failed = entry.finished(StepStatus.FAILED, null, services.errorJson(failure), 1, now);
                run.write(failed);
                throw run.failure(failed);
            }
            run.parkOnChild(entry, id, now.plus(services.settings().childRecheck()));
            throw new IllegalStateException("unreachable: park stops the run");
        }

        @Override
        public String toString() {
            return "child saga " + id + " (step " + step + ")";
        }
    }
}
