package dev.agentsaga.autoconfigure.web;

import java.net.URI;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

import dev.agentsaga.AgentSagaException;
import dev.agentsaga.InvalidSagaIdException;
import dev.agentsaga.InvalidSagaStateException;
import dev.agentsaga.PayloadException;
import dev.agentsaga.PayloadTooLargeException;
import dev.agentsaga.SagaIdConflictException;
import dev.agentsaga.SagaNotFoundException;
import dev.agentsaga.SagaStoreUnavailableException;
import dev.agentsaga.SagaTimeoutException;
import dev.agentsaga.UnknownWorkflowException;

/**
 * Answers agent-saga's exceptions thrown from Spring MVC controllers with RFC 9457 problem details: a
 * fitting status, a stable {@code type} and {@code title} per exception, the exception's message as
 * {@code detail}, and the saga's id (and step, where known) as the properties {@code sagaId} and
 * {@code step}.
 * <p>
 * It has the lowest precedence of all controller advice, so a controller's own {@code @ExceptionHandler}
 * and any other {@code @ControllerAdvice} that handles the exception answer it instead. As everywhere in
 * Spring MVC, an exception whose cause is one of these is answered like its cause. Exceptions it has no
 * mapping for (a saga that did not complete, a failed step, drift, a store error that is not transient)
 * are server-side failures whose messages can quote an action's or the database's own error text: it
 * leaves them to the application's usual error handling.
 */
@RestControllerAdvice
@Order(Ordered.LOWEST_PRECEDENCE)
public class AgentSagaProblemDetailsExceptionHandler {

    /** The common prefix of the {@code type} URIs; a tag URI (RFC 4151) identifies the type without a page to fetch. */
    public static final String TYPE_PREFIX = "tag:agentsaga.dev,2026:problem:";

    private static final Logger log = LoggerFactory.getLogger(AgentSagaProblemDetailsExceptionHandler.class);

    @ExceptionHandler
    ProblemDetail payloadTooLarge(PayloadTooLargeException ex) {
        return problem(ex, HttpStatus.CONTENT_TOO_LARGE, "payload-too-large", "Payload too large");
    }

    @ExceptionHandler
    ProblemDetail invalidPayload(PayloadException ex) {
        return problem(ex, HttpStatus.BAD_REQUEST, "invalid-payload", "Invalid payload");
    }

    @ExceptionHandler
    ProblemDetail unknownWorkflow(UnknownWorkflowException ex) {
        return problem(ex, HttpStatus.BAD_REQUEST, "unknown-workflow", "Unknown workflow");
    }

    @ExceptionHandler
    ProblemDetail invalidSagaId(InvalidSagaIdException ex) {
        return problem(ex, HttpStatus.BAD_REQUEST, "invalid-saga-id", "Invalid saga id");
    }

    @ExceptionHandler
    ProblemDetail sagaNotFound(SagaNotFoundException ex) {
        return problem(ex, HttpStatus.NOT_FOUND, "saga-not-found", "Saga not found");
    }

    @ExceptionHandler
    ProblemDetail invalidSagaState(InvalidSagaStateException ex) {
        return problem(ex, HttpStatus.CONFLICT, "invalid-saga-state", "Invalid saga state");
    }

    @ExceptionHandler
    ProblemDetail sagaIdConflict(SagaIdConflictException ex) {
        return problem(ex, HttpStatus.CONFLICT, "saga-id-conflict", "Saga id conflict");
    }

    /** The wait for the saga to rest ran out; the saga itself goes on and can be looked at later. */
    @ExceptionHandler
    ProblemDetail sagaTimeout(SagaTimeoutException ex) {
        return problem(ex, HttpStatus.GATEWAY_TIMEOUT, "saga-timeout", "Saga did not rest in time");
    }

    /** The message quotes the JDBC driver (hosts, users): the client gets a fixed detail, the log the rest. */
    @ExceptionHandler
    ProblemDetail storeUnavailable(SagaStoreUnavailableException ex) {
        log.warn("Answered 503 Service Unavailable: {}", ex.getMessage(), ex);
        ProblemDetail problem = problem(ex, HttpStatus.SERVICE_UNAVAILABLE, "saga-store-unavailable",
                "Saga store unavailable");
        problem.setDetail("The database that journals sagas cannot be reached at the moment; try again later.");
        return problem;
    }

    private static ProblemDetail problem(AgentSagaException ex, HttpStatus status, String type, String title) {
        log.debug("Answered {} {}: {}", status.value(), status.getReasonPhrase(), ex.getMessage());
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, ex.getMessage());
        problem.setType(URI.create(TYPE_PREFIX + type));
        problem.setTitle(title);
        if (ex.sagaId() != null) {
            problem.setProperty("sagaId", ex.sagaId());
        }
        if (ex.step() != null) {
            problem.setProperty("step", ex.step());
        }
        return problem;
    }
}
