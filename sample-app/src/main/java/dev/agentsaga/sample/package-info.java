/**
 * The sample's two agents, each with its workflow, tools, HTTP API and demo, and the scripted model that
 * plays both offline: a trip-booking agent on {@code AgentLoop} and {@code SagaAction}s, and a hotel
 * concierge written the Spring AI way ({@code ChatClient}, {@code @Tool} methods, the tools of an MCP server).
 */
@NullMarked
package dev.agentsaga.sample;

import org.jspecify.annotations.NullMarked;
