/**
 * The journal in a relational database over JDBC, with the SQL of each supported dialect in one
 * class.
 */
@NullMarked
package dev.agentsaga.store.jdbc;

import org.jspecify.annotations.NullMarked;
