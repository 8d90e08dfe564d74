package dev.agentsaga.sample;

import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

import tools.jackson.databind.json.JsonMapper;

import dev.agentsaga.SagaCoordinator;
import dev.agentsaga.SagaNotFoundException;
import dev.agentsaga.SagaQuery;
import dev.agentsaga.SagaSummary;
import dev.agentsaga.SagaView;
import dev.agentsaga.ai.ToolApproval;

/**
 * The HTTP API: start a trip ({@code POST /trips}, the goal as {@code text/plain} or as JSON
 * {@code {"goal": "..."}}), list trips, get one with its timeline, approve or reject its pending
 * confirmation e-mail. Errors are RFC 9457 problem details: agent-saga's exceptions (an unknown trip 404,
 * a decision for a trip that waits for none 409, a goal over the payload limit 413) are answered by the
 * starter, Spring MVC's own (a body that cannot be read 400, another content type 415) by Spring Boot
 * ({@code spring.mvc.problemdetails.enabled}).
 */
@RestController
@RequestMapping("/trips")
public class TripController {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final SagaCoordinator sagas;

    public TripController(SagaCoordinator sagas) {
        this.sagas = sagas;
    }

    public record TripStarted(String id, String status) {
    }

    public record Trip(String id, String status, @Nullable String goal, @Nullable String answer,
            @Nullable String error, long tokensSpent, long tokensSaved, long tokensReplayed,
            List<Timeline.Row> timeline) {
    }

    public record GoalRequest(@Nullable String goal) {
    }

    public record Approval(boolean approved, @Nullable String by, @Nullable String reason) {
    }

    /** A goal sent as JSON; Spring MVC reads it, and answers 400 for a body it cannot read. */
    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    public ResponseEntity<TripStarted> start(@RequestBody GoalRequest request) {
        return startTrip(request.goal());
    }

    /** A goal sent as plain text. */
    @PostMapping(consumes = MediaType.TEXT_PLAIN_VALUE)
    public ResponseEntity<TripStarted> startWithText(@RequestBody String goal) {
        return startTrip(goal);
    }

    /**
     * Starts a trip; a goal over {@code agent.saga.max-payload-size} fails here with agent-saga's
     * {@code PayloadTooLargeException}, which the starter answers with 413.
     */
    private ResponseEntity<TripStarted> startTrip(@Nullable String goal) {
        if (goal == null || goal.isBlank()) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "The goal is empty; say where and when to travel");
        }
        String id = sagas.start(TripWorkflow.NAME, goal.trim()).id();
        return ResponseEntity.status(HttpStatus.ACCEPTED).body(new TripStarted(id, "started"));
    }

    @GetMapping
    public List<SagaSummary> list() {
        return sagas.list(SagaQuery.all().withWorkflow(TripWorkflow.NAME)).items();
    }

    @GetMapping("/{id}")
    public Trip get(@PathVariable String id) {
        return sagas.find(id).filter(view -> TripWorkflow.NAME.equals(view.workflow())).map(TripController::trip)
                .orElseThrow(() -> new SagaNotFoundException("No trip has the id '" + id + "'", id));
    }

    @PostMapping("/{id}/approval")
    public ResponseEntity<Map<String, String>> approve(@PathVariable String id, @RequestBody Approval approval) {
        String by = approval.by() == null || approval.by().isBlank() ? "anonymous" : approval.by();
        sagas.signal(id, TripWorkflow.APPROVAL_SIGNAL, new ToolApproval(approval.approved(), by,
                approval.reason() == null ? "" : approval.reason()));
        return ResponseEntity.accepted().body(Map.of("id", id, "signal", TripWorkflow.APPROVAL_SIGNAL, "decision",
                approval.approved() ? "approved" : "rejected"));
    }

    static Trip trip(SagaView view) {
        return new Trip(view.id(), view.status().name(), text(view.input()), text(view.output()), view.error(),
                view.tokensSpent(), view.tokensSaved(), view.tokensReplayed(), Timeline.rows(view));
    }

    /** A journaled JSON string payload as plain text. */
    static @Nullable String text(@Nullable String json) {
        if (json == null) {
            return null;
        }
        try {
            return JSON.readValue(json, String.class);
        }
        catch (RuntimeException ex) {
            return json;
        }
    }
}
