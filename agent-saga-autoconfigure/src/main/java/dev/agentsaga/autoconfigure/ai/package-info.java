/** Durable agents written the Spring AI way: ChatClient, @Tool methods, MCP tools. */
@NullMarked
package dev.agentsaga.autoconfigure.ai;

import org.jspecify.annotations.NullMarked;
