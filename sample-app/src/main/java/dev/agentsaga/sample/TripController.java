package dev.agentsaga.sample;

import java.util.List;
import java.util.Map;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import tools.jackson.databind.json.JsonMapper;

import dev.agentsaga.InvalidSagaStateException;
import dev.agentsaga.SagaCoordinator;
import dev.agentsaga.SagaNotFoundException;
import dev.agentsaga.SagaQuery;
import dev.agentsaga.SagaSummary;
import dev.agentsaga.SagaView;
import dev.agentsaga.ai.ToolApproval;

/**
 * The HTTP API: start a trip ({@code POST /trips}, the goal as plain text or {@code {"goal": "..."}}), list
 * trips, get one with its timeline, approve or reject its pending confirmation e-mail.
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

    public record Trip(String id, String status, String goal, String answer, String error, long tokensSpent,
            long tokensSaved, long tokensReplayed, List<Timeline.Row> timeline) {
    }

    public record Approval(boolean approved, String by, String reason) {
    }

    @PostMapping
    public ResponseEntity<TripStarted> start(@RequestBody String body) {
        String goal = body.trim();
        if (goal.startsWith("{")) {
            goal = JSON.readTree(goal).path("goal").asString("");
        }
        if (goal.isBlank()) {
            return ResponseEntity.badRequest().build();
        }
        String id = sagas.start(TripWorkflow.NAME, goal).id();
        return ResponseEntity.status(HttpStatus.ACCEPTED).body(new TripStarted(id, "started"));
    }

    @GetMapping
    public List<SagaSummary> list() {
        return sagas.list(SagaQuery.all().withWorkflow(TripWorkflow.NAME)).items();
    }

    @GetMapping("/{id}")
    public ResponseEntity<Trip> get(@PathVariable String id) {
        return sagas.find(id).filter(view -> TripWorkflow.NAME.equals(view.workflow()))
                .map(view -> ResponseEntity.ok(trip(view))).orElse(ResponseEntity.notFound().build());
    }

    @PostMapping("/{id}/approval")
    public ResponseEntity<Map<String, String>> approve(@PathVariable String id, @RequestBody Approval approval) {
        String by = approval.by() == null || approval.by().isBlank() ? "anonymous" : approval.by();
        sagas.signal(id, TripWorkflow.APPROVAL_SIGNAL, new ToolApproval(approval.approved(), by,
                approval.reason() == null ? "" : approval.reason()));
        return ResponseEntity.accepted().body(Map.of("id", id, "signal", TripWorkflow.APPROVAL_SIGNAL, "decision",
                approval.approved() ? "approved" : "rejected"));
    }

    @ExceptionHandler(SagaNotFoundException.class)
    ResponseEntity<Map<String, String>> notFound(SagaNotFoundException ex) {
        return ResponseEntity.status(HttpStatus.NOT_FOUND).body(Map.of("error", String.valueOf(ex.getMessage())));
    }

    @ExceptionHandler(InvalidSagaStateException.class)
    ResponseEntity<Map<String, String>> conflict(InvalidSagaStateException ex) {
        return ResponseEntity.status(HttpStatus.CONFLICT).body(Map.of("error", String.valueOf(ex.getMessage())));
    }

    static Trip trip(SagaView view) {
        return new Trip(view.id(), view.status().name(), text(view.input()), text(view.output()), view.error(),
                view.tokensSpent(), view.tokensSaved(), view.tokensReplayed(), Timeline.rows(view));
    }

    /** A journaled JSON string payload as plain text. */
    static String text(String json) {
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
