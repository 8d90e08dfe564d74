/**
 * The tools of MCP servers, as Spring AI's MCP client offers them, run as saga actions: what each does to
 * the world declared per server and tool, else read from the server's {@code readOnlyHint}; a COMPENSABLE
 * tool undone by a compensating tool of the same server.
 */
@NullMarked
package dev.agentsaga.ai.mcp;

import org.jspecify.annotations.NullMarked;
