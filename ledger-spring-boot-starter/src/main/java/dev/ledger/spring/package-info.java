/** Spring Boot auto-configuration of a {@link dev.ledger.core.Ledger} on a PostgreSQL store. */
@NullMarked
package dev.ledger.spring;

import org.jspecify.annotations.NullMarked;
