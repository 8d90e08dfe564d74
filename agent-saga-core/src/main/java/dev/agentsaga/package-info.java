/**
 * The API that applications code against: actions, workflows, the coordinator that starts and finds
 * sagas, and the views and exceptions it returns.
 */
@NullMarked
package dev.agentsaga;

import org.jspecify.annotations.NullMarked;
