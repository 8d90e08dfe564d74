package dev.agentsaga.dashboard;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

import dev.agentsaga.Reversibility;
import dev.agentsaga.SagaStatus;
import dev.agentsaga.SagaView;
import dev.agentsaga.StepKind;
import dev.agentsaga.StepStatus;
import dev.agentsaga.StepView;

/** Sagas as the journal would hold them, written step by step for the unit tests. */
final class Journals {

    static final Instant T0 = Instant.parse("2026-05-14T09:30:00Z");

    private final String id;

    private final List<StepView> steps = new ArrayList<>();

    private @Nullable String input = "\"3 nights in Lisbon\"";

    private @Nullable String parentId;

    private @Nullable Integer parentStep;

    private @Nullable String forkedFrom;

    private @Nullable Integer forkStep;

    private List<SagaView.Child> children = List.of();

    private Journals(String id) {
        this.id = id;
    }

    static Journals saga(String id) {
        return new Journals(id);
    }

    Journals input(String json) {
        this.input = json;
        return this;
    }

    /** The saga a child of step {@code step} of saga {@code parent}. */
    Journals childOf(String parent, int step) {
        this.parentId = parent;
        this.parentStep = step;
        return this;
    }

    /** The saga a fork of saga {@code source} from step {@code step}. */
    Journals forkOf(String source, int step) {
        this.forkedFrom = source;
        this.forkStep = step;
        return this;
    }

    /** The saga's tree of children. */
    Journals children(SagaView.Child... children) {
        this.children = List.of(children);
        return this;
    }

    /** A step from {@code fromMillis} to {@code toMillis} after T0 (null: not finished). */
    Journals step(String name, StepKind kind, @Nullable Reversibility reversibility, StepStatus status, long fromMillis,
            @Nullable Long toMillis, @Nullable String input, @Nullable String output) {
        return add(name, kind, reversibility, status, fromMillis, toMillis, input, output, null, null, null);
    }

    /** A step that was undone at {@code compensatedMillis}. */
    Journals compensated(String name, long fromMillis, long toMillis, long compensatedMillis) {
        return add(name, StepKind.ACTION, Reversibility.COMPENSABLE, StepStatus.COMPENSATED, fromMillis, toMillis, "{}",
                "{}", null, at(compensatedMillis), null);
    }

    Journals failed(String name, long fromMillis, long toMillis, String error) {
        return add(name, StepKind.ACTION, Reversibility.COMPENSABLE, StepStatus.FAILED, fromMillis, toMillis, "{}", null,
                error, null, null);
    }

    Journals model(long fromMillis, long toMillis, String response, int inputTokens, int outputTokens) {
        int seq = steps.size() + 1;
        steps.add(new StepView(seq, "model", StepKind.LLM, StepStatus.SUCCEEDED, null, 1, null, response, null,
                at(fromMillis), at(toMillis), 0, null, null, null, id + ":" + seq, inputTokens, outputTokens));
        return this;
    }

    /** A model call waiting for its rate limit since {@code fromMillis}: STARTED, with the throttle's note. */
    Journals throttledModel(long fromMillis, String note) {
        int seq = steps.size() + 1;
        steps.add(new StepView(seq, "model", StepKind.LLM, StepStatus.STARTED, null, 1, null, null, null,
                at(fromMillis), null, 0, null, null, note, id + ":" + seq, null, null));
        return this;
    }

    private Journals add(String name, StepKind kind, @Nullable Reversibility reversibility, StepStatus status,
            long fromMillis, @Nullable Long toMillis, @Nullable String input, @Nullable String output,
            @Nullable String error, @Nullable Instant compensatedAt, @Nullable String compensationError) {
        int seq = steps.size() + 1;
        steps.add(new StepView(seq, name, kind, status, reversibility, 1, input, output, error, at(fromMillis),
                toMillis == null ? null : at(toMillis), compensatedAt == null ? 0 : 1, compensationError, compensatedAt,
                null, id + ":" + seq, null, null));
        return this;
    }

    SagaView as(SagaStatus status, long updatedMillis, @Nullable String error, @Nullable Integer errorStep) {
        return new SagaView(id, "trip", "1", status, input, null, error, errorStep, false, null, T0,
                at(updatedMillis), steps, 0, 0, List.of(), null, parentId, parentStep, children, forkedFrom, forkStep);
    }

    /** The saga COMPLETED, its payloads erased at {@code erasedMillis}. */
    SagaView erased(long updatedMillis, long erasedMillis) {
        return new SagaView(id, "trip", "1", SagaStatus.COMPLETED, input, SagaView.ERASED, null, null, false, null,
                T0, at(updatedMillis), steps, 0, 0, List.of(), at(erasedMillis), null, null, List.of(), null, null);
    }

    static Instant at(long millis) {
        return T0.plus(Duration.ofMillis(millis));
    }
}
