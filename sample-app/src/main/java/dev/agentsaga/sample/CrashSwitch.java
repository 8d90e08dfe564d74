package dev.agentsaga.sample;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import dev.agentsaga.spi.SagaObserver;

/**
 * Halts the JVM ({@code Runtime.halt(1)}: no shutdown hooks, no clean-up, as a killed pod) right after the
 * step named by {@code --crash-after} (or {@code sample.crash-after}) was executed and journaled, in the
 * demo's crash sagas only (the trip's {@link DemoRunner#CRASH_SAGA_ID}, the concierge's
 * {@link ConciergeDemo#CRASH_SAGA_ID}). It halts when that saga's next step starts,
 * which is after the engine journaled the named one. A replayed step does not count, so the resumed run
 * goes on.
 */
@Component
public class CrashSwitch implements SagaObserver {

    private final String crashAfter;

    private final Map<String, Boolean> armed = new ConcurrentHashMap<>();

    public CrashSwitch(@Value("${crash-after:${sample.crash-after:}}") String crashAfter) {
        this.crashAfter = crashAfter.trim();
    }

    public String crashAfter() {
        return crashAfter;
    }

    @Override
    public StepObservation stepStarted(StepEvent step) {
        if (crashAfter.isEmpty() || !DemoRunner.CRASH_SAGA_IDS.contains(step.sagaId())) {
            return StepObservation.NONE;
        }
        if (armed.remove(step.sagaId()) != null) {
            System.out.println();
            System.out.println("!!! CRASH: " + crashAfter + " (step " + (step.seq() - 1) + ") was executed and journaled; "
                    + "halting the JVM now with Runtime.halt(1), before step " + step.seq() + " (" + step.name()
                    + ") runs.");
            System.out.println("!!! Run the same command again: the saga " + step.sagaId()
                    + " resumes from its journal.");
            System.out.flush();
            Runtime.getRuntime().halt(1);
        }
        if (!crashAfter.equals(step.name())) {
            return StepObservation.NONE;
        }
        return (outcome, attempts, failure) -> {
            if ("succeeded".equals(outcome)) {
                armed.put(step.sagaId(), Boolean.TRUE);
            }
        };
    }
}
