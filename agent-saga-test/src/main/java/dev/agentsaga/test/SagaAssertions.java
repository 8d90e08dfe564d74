package dev.agentsaga.test;

import dev.agentsaga.SagaView;

/** The entry point of the kit's AssertJ assertions. */
public final class SagaAssertions {

    private SagaAssertions() {
    }

    /** Assertions on a saga as recorded. */
    public static SagaAssert assertThatSaga(SagaView saga) {
        return new SagaAssert(saga);
    }
}
