/**
 * The engine that runs workflows as journaled steps, replays them after a crash and compensates
 * completed steps in reverse order.
 */
@NullMarked
package dev.agentsaga.engine;

import org.jspecify.annotations.NullMarked;
