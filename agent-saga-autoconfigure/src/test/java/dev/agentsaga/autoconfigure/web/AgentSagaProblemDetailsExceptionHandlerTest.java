package dev.agentsaga.autoconfigure.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.http.converter.autoconfigure.HttpMessageConvertersAutoConfiguration;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.webmvc.autoconfigure.WebMvcAutoConfiguration;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.test.web.servlet.assertj.MockMvcTester;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.bind.annotation.RestControllerAdvice;

import dev.agentsaga.AgentSagaException;
import dev.agentsaga.InvalidSagaIdException;
import dev.agentsaga.InvalidSagaStateException;
import dev.agentsaga.PayloadException;
import dev.agentsaga.PayloadTooLargeException;
import dev.agentsaga.SagaIdConflictException;
import dev.agentsaga.SagaNotCompletedException;
import dev.agentsaga.SagaNotFoundException;
import dev.agentsaga.SagaStoreUnavailableException;
import dev.agentsaga.SagaTimeoutException;
import dev.agentsaga.UnknownWorkflowException;

/** What a controller that throws agent-saga's exceptions answers, with the starter's problem details. */
class AgentSagaProblemDetailsExceptionHandlerTest {

    private static final String STORE_MESSAGE = "The agent-saga journal could not be read or written after 8 attempts: "
            + "Connection to db.internal.example:5432 refused for user app_owner";

    private static final Map<String, AgentSagaException> FAILURES = Map.of(
            "payload-too-large", new PayloadTooLargeException("The input of saga s-1 is 2097154 bytes of JSON, over "
                    + "the limit of 1048576 bytes", "s-1"),
            "invalid-payload", new PayloadException("The output of step 3 of saga s-2 cannot be serialised", "s-2", 3, null),
            "unknown-workflow", new UnknownWorkflowException("No workflow is registered under the name 'cruise'", null),
            "saga-not-found", new SagaNotFoundException("No saga has the id 's-4'", "s-4"),
            "invalid-saga-state", new InvalidSagaStateException("Saga s-5 is COMPLETED; signals go to sagas that run",
                    "s-5"),
            "invalid-saga-id", new InvalidSagaIdException("A saga id must not be blank; start without an id to get a "
                    + "new one"),
            "saga-id-conflict", new SagaIdConflictException("Saga s-6 exists and belongs to workflow 'trip'", "s-6"),
            "saga-timeout", new SagaTimeoutException("Saga s-7 did not rest within PT1S; it is RUNNING and goes on", "s-7"),
            "saga-store-unavailable", new SagaStoreUnavailableException(STORE_MESSAGE, null),
            "saga-not-completed", new SagaNotCompletedException("Saga s-9 rests as COMPENSATED, not COMPLETED", "s-9"));

    private final WebApplicationContextRunner contextRunner = new WebApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(JacksonAutoConfiguration.class,
                    HttpMessageConvertersAutoConfiguration.class, WebMvcAutoConfiguration.class,
                    AgentSagaProblemDetailsAutoConfiguration.class))
            .withUserConfiguration(SagaController.class);

    record Answer(String failure, HttpStatus status, String title) {

        @Override
        public String toString() {
            return failure + " -> " + status.value();
        }
    }

    static Stream<Answer> answers() {
        return Stream.of(new Answer("payload-too-large", HttpStatus.CONTENT_TOO_LARGE, "Payload too large"),
                new Answer("invalid-payload", HttpStatus.BAD_REQUEST, "Invalid payload"),
                new Answer("unknown-workflow", HttpStatus.BAD_REQUEST, "Unknown workflow"),
                new Answer("saga-not-found", HttpStatus.NOT_FOUND, "Saga not found"),
                new Answer("invalid-saga-state", HttpStatus.CONFLICT, "Invalid saga state"),
                new Answer("invalid-saga-id", HttpStatus.BAD_REQUEST, "Invalid saga id"),
                new Answer("saga-id-conflict", HttpStatus.CONFLICT, "Saga id conflict"),
                new Answer("saga-timeout", HttpStatus.GATEWAY_TIMEOUT, "Saga did not rest in time"));
    }

    @ParameterizedTest
    @MethodSource("answers")
    void answersTheExceptionWithAProblemThatCarriesItsMessage(Answer answer) {
        AgentSagaException failure = FAILURES.get(answer.failure());

        withMvc(mvc -> {
            var result = mvc.get().uri("/sagas/{failure}", answer.failure()).exchange();

            assertThat(result).hasStatus(answer.status()).hasContentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON);
            assertThat(result).bodyJson().extractingPath("$.type")
                    .isEqualTo(AgentSagaProblemDetailsExceptionHandler.TYPE_PREFIX + answer.failure());
            assertThat(result).bodyJson().extractingPath("$.title").isEqualTo(answer.title());
            assertThat(result).bodyJson().extractingPath("$.status").isEqualTo(answer.status().value());
            assertThat(result).bodyJson().extractingPath("$.detail").isEqualTo(failure.getMessage());
            assertThat(result).bodyJson().extractingPath("$.instance").isEqualTo("/sagas/" + answer.failure());
        });
    }

    @Test
    void namesTheSagaAndTheStep() {

        withMvc(mvc -> {
            var result = mvc.get().uri("/sagas/invalid-payload").exchange();

            assertThat(result).bodyJson().extractingPath("$.sagaId").isEqualTo("s-2");
            assertThat(result).bodyJson().extractingPath("$.step").isEqualTo(3);
        });
    }

    @Test
    void leavesOutTheStepAndTheSagaWhereTheExceptionHasNone() {

        withMvc(mvc -> {
            var withoutStep = mvc.get().uri("/sagas/saga-not-found").exchange();
            var withoutSaga = mvc.get().uri("/sagas/unknown-workflow").exchange();

            assertThat(withoutStep).bodyJson().extractingPath("$.sagaId").isEqualTo("s-4");
            assertThat(withoutStep).bodyJson().doesNotHavePath("$.step");
            assertThat(withoutSaga).bodyJson().doesNotHavePath("$.sagaId");
        });
    }

    @Test
    void answersAnUnavailableStoreWithoutTheDatabasesOwnWords() {

        withMvc(mvc -> {
            var result = mvc.get().uri("/sagas/saga-store-unavailable").exchange();

            assertThat(result).hasStatus(HttpStatus.SERVICE_UNAVAILABLE)
                    .hasContentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON);
            assertThat(result).bodyJson().extractingPath("$.type")
                    .isEqualTo(AgentSagaProblemDetailsExceptionHandler.TYPE_PREFIX + "saga-store-unavailable");
            assertThat(result).bodyText().contains("try again later").doesNotContain("db.internal.example", "app_owner");
        });
    }

    @Test
    void leavesOtherAgentSagaExceptionsToTheApplicationsErrorHandling() {

        withMvc(mvc -> {
            var result = mvc.get().uri("/sagas/saga-not-completed").exchange();

            assertThat(result).hasFailed().failure().hasRootCauseInstanceOf(SagaNotCompletedException.class);
        });
    }

    @Test
    void answersAnExceptionWhoseCauseIsOneOfAgentSagasLikeItsCause() {

        withMvc(mvc -> {
            var result = mvc.get().uri("/wrapped/saga-not-found").exchange();

            assertThat(result).hasStatus(HttpStatus.NOT_FOUND);
            assertThat(result).bodyJson().extractingPath("$.sagaId").isEqualTo("s-4");
        });
    }

    @Test
    void aControllersOwnExceptionHandlerWins() {

        contextRunner.withUserConfiguration(TripController.class).run(context -> {
            var result = MockMvcTester.from(context).get().uri("/trips/t-1").exchange();

            assertThat(result).hasStatus(HttpStatus.GONE).bodyText().isEqualTo("trip t-1 is gone");
        });
    }

    @Test
    void anApplicationsControllerAdviceWins() {

        contextRunner.withUserConfiguration(ApplicationAdvice.class).run(context -> {
            var notFound = MockMvcTester.from(context).get().uri("/sagas/saga-not-found").exchange();
            var conflict = MockMvcTester.from(context).get().uri("/sagas/saga-id-conflict").exchange();

            assertThat(notFound).hasStatus(HttpStatus.GONE).bodyText().isEqualTo("gone: No saga has the id 's-4'");
            assertThat(conflict).hasStatus(HttpStatus.CONFLICT).bodyJson().extractingPath("$.title")
                    .isEqualTo("Saga id conflict");
        });
    }

    private void withMvc(Consumer<MockMvcTester> test) {
        contextRunner.run(context -> {
            assertThat(context).hasNotFailed();
            test.accept(MockMvcTester.from(context));
        });
    }

    @RestController
    static class SagaController {

        @GetMapping("/sagas/{failure}")
        String fail(@PathVariable String failure) {
            throw FAILURES.get(failure);
        }

        @GetMapping("/wrapped/{failure}")
        String failWrapped(@PathVariable String failure) {
            throw new IllegalStateException("wrapped", FAILURES.get(failure));
        }
    }

    @RestController
    static class TripController {

        @GetMapping("/trips/{id}")
        String trip(@PathVariable String id) {
            throw new SagaNotFoundException("No saga has the id '" + id + "'", id);
        }

        @ExceptionHandler
        ResponseEntity<String> gone(SagaNotFoundException ex) {
            return ResponseEntity.status(HttpStatus.GONE).body("trip " + ex.sagaId() + " is gone");
        }
    }

    @RestControllerAdvice
    static class ApplicationAdvice {

        @ExceptionHandler
        ResponseEntity<String> gone(SagaNotFoundException ex) {
            return ResponseEntity.status(HttpStatus.GONE).body("gone: " + ex.getMessage());
        }
    }
}
