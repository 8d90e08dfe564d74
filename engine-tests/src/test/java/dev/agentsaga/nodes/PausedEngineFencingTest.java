package dev.agentsaga.nodes;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.agentsaga.ActionContext;
import dev.agentsaga.SagaAction;
import dev.agentsaga.SagaEngine;
import dev.agentsaga.SagaStatus;
import dev.agentsaga.SagaView;
import dev.agentsaga.StepView;
import dev.agentsaga.testing.EngineTestSupport;
import dev.agentsaga.testing.ScriptedWorkflow;

/**
 * Two engines, one database: the first claims a saga and stops renewing its lease (it is paused, as
 * by a long GC or a network partition); the second recovers the saga after the lease and finishes it;
 * the first, when it wakes up, cannot write anything and gives the saga up.
 */
class PausedEngineFencingTest extends EngineTestSupport {

    /** Blocks until released, then answers with the name of the engine it runs on. */
    static final class Hold implements SagaAction<String, String> {

        private final String engine;

        private final CountDownLatch entered = new CountDownLatch(1);

        private final CountDownLatch release = new CountDownLatch(1);

        Hold(String engine) {
            this.engine = engine;
        }

        @Override
        public String execute(String input, ActionContext ctx) throws InterruptedException {
            entered.countDown();
            release.await(30, TimeUnit.SECONDS);
            return engine;
        }

        @Override
        public void compensate(String input, String output, ActionContext ctx) {
        }

        @Override
        public String name() {
            return "hold";
        }
    }

    @Test
    void anEngineThatLostItsLeaseCannotWriteAndTheOtherFinishesTheSaga() throws Exception {
        Hold onA = new Hold("A");
        Hold onB = new Hold("B");
        // engine A's clock runs an hour behind: every lease it takes or renews is already expired for B,
        // which is what a paused engine looks like to the others
        Clock behind = Clock.offset(Clock.systemUTC(), Duration.ofHours(-1));
        SagaEngine paused = started(engineBuilder().nodeId("engine-a").clock(behind).action(onA)
                .workflow("fenced", new ScriptedWorkflow((input, saga) -> saga.step(onA, input) + "+done")));
        String id = paused.start("fenced", "x").id();
        assertThat(onA.entered.await(10, TimeUnit.SECONDS)).isTrue();

        SagaEngine recovering = started(engineBuilder().nodeId("engine-b").action(onB)
                .workflow("fenced", new ScriptedWorkflow((input, saga) -> saga.step(onB, input) + "+done")));
        assertThat(onB.entered.await(10, TimeUnit.SECONDS)).isTrue();
        onA.release.countDown();
        awaitNoWriteFrom(paused, id);
        onB.release.countDown();
        SagaView view = awaitStatus(recovering, id, SagaStatus.COMPLETED);

        assertThat(view.output()).isEqualTo("\"B+done\"");
        assertThat(view.steps()).hasSize(1);
        StepView step = view.steps().get(0);
        assertThat(step.output()).isEqualTo("\"B\"");
        assertThat(step.status()).isEqualTo(dev.agentsaga.StepStatus.SUCCEEDED);
        assertThat(schema.jdbc().queryForObject("SELECT lease_epoch FROM agent_saga_instance WHERE id = ?",
                Long.class, id)).isEqualTo(2);
    }

    /** Gives the woken engine time to try its write, and checks that the journal did not take it. */
    private void awaitNoWriteFrom(SagaEngine paused, String id) throws InterruptedException {
        Thread.sleep(500);
        assertThat(schema.jdbc().queryForObject("SELECT COUNT(*) FROM agent_saga_step WHERE saga_id = ?",
                Integer.class, id)).isZero();
        assertThat(view(paused, id).status()).isEqualTo(SagaStatus.RUNNING);
    }
}
