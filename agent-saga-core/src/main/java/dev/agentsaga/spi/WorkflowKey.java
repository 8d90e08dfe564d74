package dev.agentsaga.spi;

/** A workflow name and version: what an engine can run. */
public record WorkflowKey(String workflow, String version) {
}
