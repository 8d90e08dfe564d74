/**
 * The web dashboard: a list of sagas, one saga's timeline and conversation, and an inbox of what needs a
 * person, with the actions that fit. Reads what the {@code sagas} actuator endpoint reads.
 */
@NullMarked
package dev.agentsaga.dashboard;

import org.jspecify.annotations.NullMarked;
