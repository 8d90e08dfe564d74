package dev.agentsaga.ai;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import dev.agentsaga.Reversibility;

/**
 * What a Spring AI {@code @Tool} method does to the world, declared next to it, so that a durable agent
 * runs it as a saga step: {@code READ_ONLY} (retried freely, nothing to undo), {@code COMPENSABLE} with
 * the method of the same bean that undoes it, or {@code IRREVERSIBLE} (never retried after an unknown
 * outcome; in doubt after a crash; optionally behind a person's approval).
 *
 * <pre>{@code
 * @Tool(description = "Books a flight")
 * @SagaTool(value = COMPENSABLE, undo = "cancelFlight")
 * public Booking bookFlight(String flight) { ... }
 *
 * public void cancelFlight(String flight, Booking booking) { ... }   // the original arguments, then the result
 * }</pre>
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface SagaTool {

    /** What the tool does to the world. */
    Reversibility value();

    /**
     * For a COMPENSABLE tool, the name of the method of the same bean that undoes it. It takes the tool's
     * parameters in their order, then, optionally, the tool's result; the arguments are those of the
     * original call, and the result the recorded one.
     */
    String undo() default "";

    /** Whether each call waits for the signal {@code approval:<tool>} ({@link ToolApproval}) first. */
    boolean approval() default false;
}
