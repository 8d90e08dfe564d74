package dev.agentsaga.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import dev.agentsaga.SagaEngine;
import dev.agentsaga.SagaHandle;
import dev.agentsaga.SagaStatus;
import dev.agentsaga.SagaView;
import dev.agentsaga.SignalTimeoutException;
import dev.agentsaga.spi.SagaObserver;
import dev.agentsaga.testing.CompensableAction;
import dev.agentsaga.testing.EngineTestSupport;
import dev.agentsaga.testing.ScriptedWorkflow;

/** Durable sleep and signals: the saga parks WAITING, holds no thread, and resumes when its time or signal comes. */
class DurableWaitTest extends EngineTestSupport {

    /** A signal payload as a record. */
    public record Approval(String by, boolean approved) {
    }

    @Test
    void sleepingSagaWaitsWithoutHoldingAWorkerThread() {
        Duration nap = Duration.ofMillis(1500);
        ScriptedWorkflow sleeper = new ScriptedWorkflow((input, saga) -> {
            saga.sleep(nap);
            return "rested";
        });
        ScriptedWorkflow quick = new ScriptedWorkflow((input, saga) -> "quick " + input);
        SagaEngine engine = started(engineBuilder().workerThreads(1)
                .workflow("wait-sleeper", sleeper).workflow("wait-quick", quick));
        long begin = System.nanoTime();

        SagaView parked = engine.start("wait-sleeper", "x").await(WAIT);
        SagaView other = engine.start("wait-quick", "y").await(Duration.ofMillis(1000));
        SagaView sleeperMeanwhile = view(engine, parked.id());
        SagaView done = awaitStatus(engine, parked.id(), SagaStatus.COMPLETED);

        assertThat(parked.status()).isEqualTo(SagaStatus.WAITING);
        assertThat(parked.wakeAt()).isNotNull();
        assertThat(other.status()).isEqualTo(SagaStatus.COMPLETED);
        assertThat(sleeperMeanwhile.status()).isEqualTo(SagaStatus.WAITING);
        assertThat(Duration.ofNanos(System.nanoTime() - begin)).isGreaterThanOrEqualTo(nap);
        assertThat(decode(done.output(), String.class)).isEqualTo("rested");
    }

    @Test
    void awaitSignalReturnsThePayloadSent() {
        ScriptedWorkflow wf = new ScriptedWorkflow((input, saga) -> {
            Approval approval = saga.awaitSignal("approval", Approval.class, Duration.ofMinutes(5));
            return approval.approved() ? "approved by " + approval.by() : "rejected";
        });
        SagaEngine engine = started(engineBuilder().workflow("wait-signal", wf));
        SagaView waiting = engine.start("wait-signal", "x").await(WAIT);
        assertThat(waiting.status()).isEqualTo(SagaStatus.WAITING);

        engine.signal(waiting.id(), "approval", new Approval("ops", true));
        SagaView view = awaitStatus(engine, waiting.id(), SagaStatus.COMPLETED);

        assertThat(decode(view.output(), String.class)).isEqualTo("approved by ops");
    }

    @Test
    void aSignalSentBeforeTheWaitIsConsumedByIt() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ScriptedWorkflow wf = new ScriptedWorkflow((input, saga) -> {
            entered.countDown();
            release.await(5, TimeUnit.SECONDS);
            return saga.awaitSignal("go", String.class, Duration.ofMinutes(5));
        });
        SagaEngine engine = started(engineBuilder().workflow("wait-early-signal", wf));
        SagaHandle handle = engine.start("wait-early-signal", "x");
        assertThat(entered.await(5, TimeUnit.SECONDS)).isTrue();

        engine.signal(handle.id(), "go", "early bird");
        release.countDown();
        SagaView view = awaitStatus(engine, handle.id(), SagaStatus.COMPLETED);

        assertThat(decode(view.output(), String.class)).isEqualTo("early bird");
    }

    @Test
    void signalTimeoutThrowsInsideTheWorkflowAndUncaughtItCompensates() {
        CompensableAction hold = new CompensableAction("waitHold", ledger);
        List<String> seen = new CopyOnWriteArrayList<>();
        ScriptedWorkflow wf = new ScriptedWorkflow((input, saga) -> {
            saga.step(hold, input);
            try {
                return saga.awaitSignal("approval", String.class, Duration.ofMillis(300));
            }
            catch (SignalTimeoutException ex) {
                seen.add(ex.getClass().getSimpleName());
                throw ex;
            }
        });
        SagaEngine engine = started(engineBuilder().workflow("wait-timeout", wf).action(hold));
        Instant begin = Instant.now();

        SagaHandle handle = engine.start("wait-timeout", "x");
        SagaView view = awaitStatus(engine, handle.id(), SagaStatus.COMPENSATED);

        assertThat(seen).contains("SignalTimeoutException");
        assertThat(Duration.between(begin, Instant.now())).isGreaterThanOrEqualTo(Duration.ofMillis(300));
        assertThat(ledger.compensated(view.id())).containsExactly("waitHold");
        assertThat(view.error()).isNotNull();
    }

    /**
     * A signal can make a parked saga runnable, and this engine claim it again, before the run that parked
     * it has ended here. That claim must be given back at once, not dropped: a dropped claim would hold the
     * saga under this engine's lease, untouched, until the lease ran out.
     */
    @Test
    void aSagaClaimedAgainWhileTheRunThatParkedItIsEndingGoesOnAtOnce() throws Exception {
        AtomicReference<SagaEngine> engineRef = new AtomicReference<>();
        CountDownLatch claimedAgain = new CountDownLatch(1);
        AtomicReference<Boolean> claimSeenBeforeRunEnded = new AtomicReference<>(false);
        SagaObserver signalWhileEnding = new SagaObserver() {
            @Override
            public void sagaResumed(String sagaId, String workflow, boolean recovered) {
                claimedAgain.countDown();
            }

            @Override
            public void sagaRested(String sagaId, String workflow, SagaStatus status) {
                if (status == SagaStatus.WAITING) {
                    // still inside the run that parked the saga: signal it and hold the run until it is claimed
                    engineRef.get().signal(sagaId, "go", "now");
                    try {
                        claimSeenBeforeRunEnded.set(claimedAgain.await(5, TimeUnit.SECONDS));
                    }
                    catch (InterruptedException ex) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        };
        ScriptedWorkflow wf = new ScriptedWorkflow((input, saga) -> saga.awaitSignal("go", String.class,
                Duration.ofMinutes(5)));
        SagaEngine engine = started(engineBuilder().leaseDuration(Duration.ofSeconds(30))
                .observer(signalWhileEnding).workflow("wait-claimed-while-ending", wf));
        engineRef.set(engine);
        long begin = System.nanoTime();

        SagaHandle handle = engine.start("wait-claimed-while-ending", "x");
        SagaView view = awaitStatus(engine, handle.id(), SagaStatus.COMPLETED);

        assertThat(claimSeenBeforeRunEnded.get()).as("the signal's claim came while the parking run was ending")
                .isTrue();
        assertThat(decode(view.output(), String.class)).isEqualTo("now");
        assertThat(Duration.ofNanos(System.nanoTime() - begin)).as("well within the 30 s lease")
                .isLessThan(Duration.ofSeconds(10));
    }
}
