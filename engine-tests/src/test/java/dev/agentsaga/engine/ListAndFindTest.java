package dev.agentsaga.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.agentsaga.Page;
import dev.agentsaga.Reversibility;
import dev.agentsaga.SagaEngine;
import dev.agentsaga.SagaQuery;
import dev.agentsaga.SagaStatus;
import dev.agentsaga.SagaSummary;
import dev.agentsaga.SagaView;
import dev.agentsaga.StepKind;
import dev.agentsaga.StepStatus;
import dev.agentsaga.StepView;
import dev.agentsaga.testing.CompensableAction;
import dev.agentsaga.testing.EngineTestSupport;
import dev.agentsaga.testing.ReadOnlyAction;
import dev.agentsaga.testing.ScriptedWorkflow;

/** Listing filters and pages newest first with a correct total; find shows the step timeline. */
class ListAndFindTest extends EngineTestSupport {

    private final List<String> alphaIds = new ArrayList<>();

    private final List<String> betaIds = new ArrayList<>();

    private SagaView detailed;

    private SagaEngine engine;

    @BeforeAll
    void startSagas() {
        CompensableAction book = new CompensableAction("listBook", ledger).failingTimes(1);
        ReadOnlyAction read = new ReadOnlyAction("listRead", ledger);
        ScriptedWorkflow alpha = new ScriptedWorkflow((input, saga) -> saga.step(read, saga.step(book, input)));
        ScriptedWorkflow beta = new ScriptedWorkflow((input, saga) -> {
            throw new IllegalStateException("beta always fails");
        });
        engine = engineBuilder().action(book).action(read)
                .workflow("list-alpha", alpha).workflow("list-beta", beta).build();
        engine.startup();
        for (int i = 0; i < 3; i++) {
            SagaView view = engine.start("list-alpha", "a" + i).await(WAIT);
            alphaIds.add(view.id());
            detailed = view;
            pause(Duration.ofMillis(5));
            betaIds.add(engine.start("list-beta", "b" + i).await(WAIT).id());
            pause(Duration.ofMillis(5));
        }
    }

    @AfterAll
    void shutDownEngine() {
        engine.shutdown(Duration.ofSeconds(2));
    }

    @Test
    void listsEverySagaNewestFirstWithTheTotal() {
        Page<SagaSummary> page = engine.list(SagaQuery.all());

        assertThat(page.total()).isEqualTo(6);
        assertThat(page.items()).extracting(SagaSummary::id).containsExactly(betaIds.get(2), alphaIds.get(2),
                betaIds.get(1), alphaIds.get(1), betaIds.get(0), alphaIds.get(0));
        assertThat(page.hasNext()).isFalse();
    }

    @Test
    void filtersByWorkflowAndPages() {
        Page<SagaSummary> first = engine.list(SagaQuery.all().withWorkflow("list-alpha").withPage(0, 2));
        Page<SagaSummary> second = engine.list(SagaQuery.all().withWorkflow("list-alpha").withPage(1, 2));

        assertThat(first.total()).isEqualTo(3);
        assertThat(first.items()).extracting(SagaSummary::id).containsExactly(alphaIds.get(2), alphaIds.get(1));
        assertThat(first.hasNext()).isTrue();
        assertThat(second.total()).isEqualTo(3);
        assertThat(second.items()).extracting(SagaSummary::id).containsExactly(alphaIds.get(0));
        assertThat(second.hasNext()).isFalse();
    }

    @Test
    void filtersByStatus() {
        Page<SagaSummary> failed = engine.list(SagaQuery.all().withStatuses(SagaStatus.FAILED));
        Page<SagaSummary> either = engine.list(SagaQuery.all()
                .withStatuses(SagaStatus.FAILED, SagaStatus.COMPLETED).withWorkflow("list-beta"));
        Page<SagaSummary> none = engine.list(SagaQuery.all()
                .withStatuses(SagaStatus.COMPLETED).withWorkflow("list-beta"));

        assertThat(failed.total()).isEqualTo(3);
        assertThat(failed.items()).extracting(SagaSummary::id).containsExactly(betaIds.get(2), betaIds.get(1), betaIds.get(0));
        assertThat(failed.items()).allSatisfy(s -> {
            assertThat(s.status()).isEqualTo(SagaStatus.FAILED);
            assertThat(s.workflow()).isEqualTo("list-beta");
            assertThat(s.error()).contains("beta always fails");
        });
        assertThat(either.total()).isEqualTo(3);
        assertThat(none.total()).isZero();
        assertThat(none.items()).isEmpty();
    }

    @Test
    void findOfAnUnknownIdIsEmpty() {
        assertThat(engine.find("list-no-such-saga")).isEmpty();
    }

    @Test
    void findShowsTheStepTimeline() {
        SagaView view = engine.find(detailed.id()).orElseThrow();

        assertThat(view.status()).isEqualTo(SagaStatus.COMPLETED);
        assertThat(view.workflow()).isEqualTo("list-alpha");
        assertThat(view.workflowVersion()).isEqualTo("1");
        assertThat(decode(view.input(), String.class)).isEqualTo("a2");
        assertThat(decode(view.output(), String.class)).isEqualTo("listRead(listBook(a2))");
        assertThat(view.steps()).hasSize(2);
        StepView book = step(view, 1);
        assertThat(book.name()).isEqualTo("listBook");
        assertThat(book.kind()).isEqualTo(StepKind.ACTION);
        assertThat(book.reversibility()).isEqualTo(Reversibility.COMPENSABLE);
        assertThat(book.status()).isEqualTo(StepStatus.SUCCEEDED);
        assertThat(book.idempotencyKey()).isEqualTo(view.id() + ":1");
        assertThat(book.attempts()).isEqualTo(2);
        assertThat(decode(book.input(), String.class)).isEqualTo("a2");
        assertThat(decode(book.output(), String.class)).isEqualTo("listBook(a2)");
        assertThat(book.startedAt()).isNotNull();
        assertThat(book.finishedAt()).isNotNull().isAfterOrEqualTo(book.startedAt());
        StepView read = step(view, 2);
        assertThat(read.name()).isEqualTo("listRead");
        assertThat(read.reversibility()).isEqualTo(Reversibility.READ_ONLY);
        assertThat(read.idempotencyKey()).isEqualTo(view.id() + ":2");
        assertThat(read.attempts()).isEqualTo(1);
        assertThat(read.startedAt()).isNotNull().isAfterOrEqualTo(book.finishedAt());
        assertThat(read.finishedAt()).isNotNull();
    }
}
