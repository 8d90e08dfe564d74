package dev.agentsaga.sample;

import java.util.List;

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

import dev.agentsaga.SagaCoordinator;
import dev.agentsaga.SagaNotFoundException;
import dev.agentsaga.SagaQuery;
import dev.agentsaga.SagaSummary;
import dev.agentsaga.SagaView;

/**
 * The concierge's HTTP API: ask for an evening ({@code POST /concierge}, the request as {@code text/plain}
 * or as JSON {@code {"request": "..."}}), list the evenings, get one with its timeline. Errors are problem
 * details, as for {@link TripController}.
 */
@RestController
@RequestMapping("/concierge")
public class ConciergeController {

    private final SagaCoordinator sagas;

    public ConciergeController(SagaCoordinator sagas) {
        this.sagas = sagas;
    }

    public record Started(String id, String status) {
    }

    public record Evening(String id, String status, @Nullable String request, @Nullable String answer,
            @Nullable String error, long tokensSpent, long tokensSaved, List<String> compensations,
            List<Timeline.Row> timeline) {
    }

    public record EveningRequest(@Nullable String request) {
    }

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    public ResponseEntity<Started> start(@RequestBody EveningRequest request) {
        return startEvening(request.request());
    }

    @PostMapping(consumes = MediaType.TEXT_PLAIN_VALUE)
    public ResponseEntity<Started> startWithText(@RequestBody String request) {
        return startEvening(request);
    }

    private ResponseEntity<Started> startEvening(@Nullable String request) {
        if (request == null || request.isBlank()) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "The request is empty; say what to arrange");
        }
        String id = sagas.start(ConciergeWorkflow.NAME, request.trim()).id();
        return ResponseEntity.status(HttpStatus.ACCEPTED).body(new Started(id, "started"));
    }

    @GetMapping
    public List<SagaSummary> list() {
        return sagas.list(SagaQuery.all().withWorkflow(ConciergeWorkflow.NAME)).items();
    }

    @GetMapping("/{id}")
    public Evening get(@PathVariable String id) {
        return sagas.find(id).filter(view -> ConciergeWorkflow.NAME.equals(view.workflow()))
                .map(ConciergeController::evening)
                .orElseThrow(() -> new SagaNotFoundException("No concierge request has the id '" + id + "'", id));
    }

    static Evening evening(SagaView view) {
        return new Evening(view.id(), view.status().name(), TripController.text(view.input()),
                TripController.text(view.output()), view.error(), view.tokensSpent(), view.tokensSaved(),
                Timeline.compensations(view), Timeline.rows(view));
    }
}
