package dev.agentsaga.engine;

import java.lang.reflect.Proxy;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;

import org.jspecify.annotations.Nullable;

import dev.agentsaga.AgentSagaException;
import dev.agentsaga.AgentWorkflow;
import dev.agentsaga.DriftException;
import dev.agentsaga.DriftPolicy;
import dev.agentsaga.InvalidSagaStateException;
import dev.agentsaga.SagaRetention;
import dev.agentsaga.NonDeterminismException;
import dev.agentsaga.PayloadException;
import dev.agentsaga.SagaAction;
import dev.agentsaga.SagaExport;
import dev.agentsaga.SagaStatus;
import dev.agentsaga.UnknownActionException;
import dev.agentsaga.UnknownWorkflowException;
import dev.agentsaga.engine.ReplayReport.Outcome;
import dev.agentsaga.spi.Lease;
import dev.agentsaga.spi.PayloadCodec;
import dev.agentsaga.spi.SagaObserver;
import dev.agentsaga.spi.SagaStore;

/**
 * Replays exported journals against the registered workflows and actions, executing nothing: every
 * step is answered from the journal, no action and no model is called, nothing is written. The run
 * stops at the first step the journal does not hold, and the report names the first difference: a
 * step of another name or kind (non-determinism), a model request whose fingerprint changed (drift,
 * checked under the {@code FAIL} policy whatever the engine's), or a finished saga whose workflow now
 * asks for more steps, returns early, returns another output or fails where it completed. Built by
 * {@link dev.agentsaga.AgentSaga.Builder#buildReplayer()}.
 */
public final class JournalReplayer {

    private static final Set<SagaStatus> FINISHED = EnumSet.of(SagaStatus.COMPLETED, SagaStatus.COMPENSATED,
            SagaStatus.FAILED, SagaStatus.COMPENSATING, SagaStatus.COMPENSATION_FAILED);

    private final EngineServices services;

    /** Use {@link dev.agentsaga.AgentSaga.Builder#buildReplayer()} rather than this constructor. */
    public JournalReplayer(PayloadCodec codec, EngineSettings settings, Map<String, SagaAction<?, ?>> namedActions,
            List<SagaAction<?, ?>> actions, Map<String, AgentWorkflow<?, ?>> namedWorkflows,
            List<AgentWorkflow<?, ?>> workflows) {
        Registry registry = new Registry(namedActions, actions, namedWorkflows, workflows, settings.defaultPolicy());
        EngineSettings replay = new EngineSettings("replay", 1, settings.pollInterval(), settings.leaseDuration(),
                settings.heartbeatInterval(), Integer.MAX_VALUE, settings.defaultPolicy(), DriftPolicy.FAIL, 0, 0,
                SagaRetention.KEEP_ALL, settings.childRecheck(), java.util.Map.of(), settings.clock());
        this.services = new EngineServices(writesNothing(), codec, registry, replay,
                // nothing is executed: no attempt ever needs a thread of its own
                new StepExecutor(Executors.newCachedThreadPool(), settings.clock()), SagaObserver.NONE);
    }

    /**
     * Replays one exported journal.
     * @throws InvalidSagaStateException when the saga was erased ({@link dev.agentsaga.SagaCoordinator#erase}):
     *     its payloads are gone, so the workflow has nothing to be replayed with
     */
    public ReplayReport replay(SagaExport export) {
        Objects.requireNonNull(export, "export must not be null");
        if (export.erasedAt() != null) {
            throw new InvalidSagaStateException("The journal of saga " + export.id() + " was erased at "
                    + export.erasedAt() + ": its inputs and outputs are gone, so it cannot be replayed; leave it out "
                    + "of the journals you replay", export.id());
        }
        Registry.WorkflowEntry workflow;
        try {
            workflow = services.registry().workflow(export.workflow());
        }
        catch (UnknownWorkflowException ex) {
            return diverged(export, ex.getMessage(), null);
        }
        if (!workflow.version().equals(export.workflowVersion())) {
            return new ReplayReport(export.id(), Outcome.OTHER_VERSION, "saga " + export.id() + " ran version '"
                    + export.workflowVersion() + "' of workflow '" + export.workflow() + "'; the code is version '"
                    + workflow.version() + "', which does not resume it", null);
        }
        RunJournal run = new RunJournal(services, new Lease(export.id(), "replay", 0), export.workflow(),
                export.steps(), replaying(export), false);
        Object input;
        try {
            input = services.decode(export.input(), workflow.inputType(), () -> "input of the saga", export.id(),
                    null);
        }
        catch (PayloadException ex) {
            return diverged(export, ex.getMessage(), null);
        }
        SagaContext.Verdict verdict = SagaContext.run(services, run, workflow, input);
        return report(export, run, verdict.output(), verdict.failure());
    }

    private ReplayReport report(SagaExport export, RunJournal run, @Nullable Object output,
            @Nullable Throwable failure) {
        boolean finished = FINISHED.contains(export.status()) && !export.cancelRequested();
        if (failure instanceof NonDeterminismException || failure instanceof DriftException
                || failure instanceof UnknownActionException || failure instanceof PayloadException) {
            Integer step = failure instanceof AgentSagaException ex ? ex.step() : null;
            return diverged(export, failure.getMessage(), step);
        }
        Halt halt = run.halt();
        if (halt != null && halt.kind() == Halt.Kind.RELEASED && finished) {
            return diverged(export, "saga " + export.id() + " is " + export.status() + ", but the workflow "
                    + halt.error(), halt.step());
        }
        if (halt != null) {
            return clean(export, "replayed " + run.lastSeq() + " of " + run.journaledSteps() + " steps; the journal "
                    + "ends there (" + export.status() + ")");
        }
        if (run.leftStepsUnvisited()) {
            return diverged(export, "the workflow returned after step " + run.lastSeq() + " but the journal holds "
                    + run.journaledSteps() + " steps", run.lastSeq() + 1);
        }
        if (export.status() == SagaStatus.COMPLETED && failure != null) {
            return diverged(export, "saga " + export.id() + " completed, but the workflow now throws "
                    + failure.getClass().getName() + ": " + failure.getMessage(), null);
        }
        if (export.status() == SagaStatus.COMPLETED && !sameOutput(export.output(), output)) {
            return diverged(export, "saga " + export.id() + " completed with " + export.output()
                    + ", but the workflow now returns " + services.codec().encode(output), null);
        }
        if (failure == null && finished && export.status() != SagaStatus.COMPLETED) {
            return diverged(export, "saga " + export.id() + " is " + export.status() + ", but the workflow now "
                    + "completes", null);
        }
        return clean(export, "replayed all " + run.journaledSteps() + " steps (" + export.status() + ")");
    }

    private boolean sameOutput(@Nullable String journaled, @Nullable Object output) {
        PayloadCodec codec = services.codec();
        return Objects.equals(codec.decode(journaled, Object.class),
                codec.decode(codec.encode(output), Object.class));
    }

    private static ReplayReport clean(SagaExport export, String detail) {
        return new ReplayReport(export.id(), Outcome.CLEAN, detail, null);
    }

    private static ReplayReport diverged(SagaExport export, @Nullable String detail, @Nullable Integer step) {
        return new ReplayReport(export.id(), Outcome.DIVERGED, String.valueOf(detail), step);
    }

    /** A replay stops before any new step, told the saga was cancelled when it was. */
    private static Interruption replaying(SagaExport export) {
        return new Interruption() {

            @Override
            public boolean cancelRequested() {
                return export.cancelRequested();
            }

            @Override
            public boolean stopping() {
                return true;
            }
        };
    }

    /** A store that answers "no signal" and refuses every write: a replay never writes. */
    private static SagaStore writesNothing() {
        return (SagaStore) Proxy.newProxyInstance(SagaStore.class.getClassLoader(), new Class<?>[] { SagaStore.class },
                (proxy, method, args) -> {
                    if (method.getName().equals("findSignal")) {
                        return Optional.empty();
                    }
                    if (method.getDeclaringClass() == Object.class) {
                        return switch (method.getName()) {
                            case "equals" -> proxy == args[0];
                            case "hashCode" -> System.identityHashCode(proxy);
                            default -> "a replay's store";
                        };
                    }
                    throw new UnsupportedOperationException("a replay writes nothing");
                });
    }
}
