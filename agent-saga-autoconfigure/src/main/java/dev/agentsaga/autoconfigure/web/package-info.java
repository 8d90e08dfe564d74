/**
 * Answers agent-saga's exceptions from Spring MVC controllers as RFC 9457 problem details.
 */
@NullMarked
package dev.agentsaga.autoconfigure.web;

import org.jspecify.annotations.NullMarked;
