/**
 * What integrators implement or plug in: the store that keeps the journal, the payload codec and
 * the observer, with the records they exchange with the engine.
 */
@NullMarked
package dev.agentsaga.spi;

import org.jspecify.annotations.NullMarked;
