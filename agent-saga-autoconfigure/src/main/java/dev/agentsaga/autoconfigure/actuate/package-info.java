/**
 * The actuator side: the sagas endpoint, the health indicator, and metrics and observations in
 * Micrometer.
 */
@NullMarked
package dev.agentsaga.autoconfigure.actuate;

import org.jspecify.annotations.NullMarked;
