/**
 * Spring Boot auto-configuration of the saga engine: its data source, schema, properties, lifecycle
 * and the actions and workflows found as beans.
 */
@NullMarked
package dev.agentsaga.autoconfigure;

import org.jspecify.annotations.NullMarked;
