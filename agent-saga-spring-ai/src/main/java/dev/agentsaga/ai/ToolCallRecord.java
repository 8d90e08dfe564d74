package dev.agentsaga.ai;

/**
 * A tool call the model asked for, as journaled.
 *
 * @param id the model's id of the call (used to pair the result with it, never as an idempotency key)
 * @param arguments the arguments as the model wrote them (JSON text)
 */
public record ToolCallRecord(String id, String name, String arguments) {
}
