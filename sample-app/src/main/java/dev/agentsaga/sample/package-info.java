/**
 * The sample trip-booking agent: its workflow, tools, scripted model, HTTP API and demo.
 */
@NullMarked
package dev.agentsaga.sample;

import org.jspecify.annotations.NullMarked;
