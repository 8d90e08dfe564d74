/**
 * Helpers shared by the engine and the integrations, not part of the user API: how actions and
 * workflows are named and typed.
 */
@NullMarked
package dev.agentsaga.support;

import org.jspecify.annotations.NullMarked;
