package dev.agentsaga.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.agentsaga.AgentWorkflow;
import dev.agentsaga.Saga;
import dev.agentsaga.SagaEngine;
import dev.agentsaga.SagaHandle;
import dev.agentsaga.SagaIdConflictException;
import dev.agentsaga.SagaStatus;
import dev.agentsaga.SagaView;
import dev.agentsaga.testing.CompensableAction;
import dev.agentsaga.testing.EffectLedger.Effect;
import dev.agentsaga.testing.EffectLedger.Kind;
import dev.agentsaga.testing.EngineTestSupport;
import dev.agentsaga.testing.ReadOnlyAction;
import dev.agentsaga.testing.ScriptedWorkflow;

/**
 * A saga id is an idempotency key for {@code start}: the same id with the same input is one saga however
 * often, from however many threads and engines it is started; the same id with another input is refused,
 * as a payment API refuses a reused idempotency key with other parameters.
 */
class IdempotentStartTest extends EngineTestSupport {

    private static final int THREADS = 8;

    @Test
    void sameIdStartedFromEightThreadsOnTwoEnginesCreatesOneSagaAndRunsEachStepOnce() throws Exception {
        ReadOnlyAction quote = new ReadOnlyAction("raceQuote", ledger);
        CompensableAction reserve = new CompensableAction("raceReserve", ledger);
        CompensableAction charge = new CompensableAction("raceCharge", ledger);
        ScriptedWorkflow wf = new ScriptedWorkflow((input, saga) -> {
            saga.step(quote, input);
            saga.step(reserve, input);
            return saga.step(charge, input);
        });
        SagaEngine one = started(engineBuilder().nodeId("race-one").action(quote).action(reserve).action(charge)
                .workflow("start-race", wf));
        SagaEngine two = started(engineBuilder().nodeId("race-two").action(quote).action(reserve).action(charge)
                .workflow("start-race", wf));
        String sagaId = "race-1";

        List<SagaHandle> handles = startAtOnce(List.of(one, two), "start-race", "order-7", sagaId);
        SagaView view = awaitStatus(one, sagaId, SagaStatus.COMPLETED);

        assertThat(handles).hasSize(THREADS).extracting(SagaHandle::id).containsOnly(sagaId);
        assertThat(handles).filteredOn(SagaHandle::created).as("handles that created the saga").hasSize(1);
        assertThat(instanceRows(sagaId)).isEqualTo(1);
        assertThat(stepRows(sagaId)).isEqualTo(3);
        assertThat(wf.runs()).as("runs of the workflow").isEqualTo(1);
        for (String action : List.of("raceQuote", "raceReserve", "raceCharge")) {
            assertThat(ledger.attemptCount(sagaId, action, Kind.EXECUTE)).as("calls of %s", action).isEqualTo(1);
        }
        assertThat(ledger.effects(sagaId, Kind.EXECUTE)).extracting(Effect::requests).containsExactly(1, 1, 1);
        assertThat(decode(view.output(), String.class)).isEqualTo("raceCharge(order-7)");
    }

    @Test
    void sameIdWithTheSameInputReturnsTheExistingSagaWhateverTheOrderOfItsKeys() {
        CountsItems wf = new CountsItems();
        SagaEngine engine = started(engineBuilder().workflow("start-same-input", wf));
        SagaHandle first = engine.start("start-same-input", order("apples", 3, "pears", 2), "same-input-1");
        first.await(WAIT);

        SagaHandle second = engine.start("start-same-input", order("pears", 2, "apples", 3), "same-input-1");
        SagaView view = second.await(WAIT);

        assertThat(first.created()).isTrue();
        assertThat(second.created()).isFalse();
        assertThat(second.id()).isEqualTo("same-input-1");
        assertThat(view.status()).isEqualTo(SagaStatus.COMPLETED);
        assertThat(decode(view.output(), String.class)).isEqualTo("5 items");
        assertThat(wf.runs).isEqualTo(1);
        assertThat(instanceRows("same-input-1")).isEqualTo(1);
    }

    @Test
    void sameIdWithOtherInputIsRefusedNamingTheId() {
        CountsItems wf = new CountsItems();
        SagaEngine engine = started(engineBuilder().workflow("start-other-input", wf));
        engine.start("start-other-input", order("apples", 3, "pears", 2), "other-input-1").await(WAIT);
        String journaledInput = view(engine, "other-input-1").input();

        assertThatThrownBy(() -> engine.start("start-other-input", order("apples", 3, "pears", 20), "other-input-1"))
                .isInstanceOf(SagaIdConflictException.class)
                .hasMessageContaining("other-input-1")
                .hasMessageContaining("another input")
                .hasMessageContaining("use another id")
                .satisfies(ex -> assertThat(((SagaIdConflictException) ex).sagaId()).isEqualTo("other-input-1"));

        assertThat(wf.runs).isEqualTo(1);
        assertThat(instanceRows("other-input-1")).isEqualTo(1);
        assertThat(view(engine, "other-input-1").input()).isEqualTo(journaledInput);
    }

    /** Starts the saga from {@value #THREADS} threads spread over the engines, released together. */
    private static List<SagaHandle> startAtOnce(List<SagaEngine> engines, String workflow, String input,
            String sagaId) throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(THREADS);
        try {
            CountDownLatch ready = new CountDownLatch(THREADS);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<SagaHandle>> starts = new ArrayList<>();
            for (int i = 0; i < THREADS; i++) {
                SagaEngine engine = engines.get(i % engines.size());
                starts.add(threads.submit(() -> {
                    ready.countDown();
                    go.await();
                    return engine.start(workflow, input, sagaId);
                }));
            }
            assertThat(ready.await(5, TimeUnit.SECONDS)).isTrue();
            go.countDown();
            List<SagaHandle> handles = new ArrayList<>();
            for (Future<SagaHandle> start : starts) {
                handles.add(start.get(10, TimeUnit.SECONDS));
            }
            return handles;
        }
        finally {
            threads.shutdownNow();
        }
    }

    /** A map whose keys keep the order they are given in, so that its JSON text has them in that order. */
    private static Map<String, Integer> order(String item, int count, String otherItem, int otherCount) {
        Map<String, Integer> order = new LinkedHashMap<>();
        order.put(item, count);
        order.put(otherItem, otherCount);
        return order;
    }

    /** Counts the items of an order. */
    static final class CountsItems implements AgentWorkflow<Map<String, Integer>, String> {

        volatile int runs;

        @Override
        public String run(Map<String, Integer> order, Saga saga) {
            runs++;
            return order.values().stream().mapToInt(Integer::intValue).sum() + " items";
        }
    }
}
