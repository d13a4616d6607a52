/**
 * Implementation details shared by the ledger's own modules (checks, hashing, ids, the verifier). <strong>Not
 * API:</strong> anything here may change or disappear in any release, without notice; it is excluded from the API
 * compatibility check and from the published Javadoc. Use the types of {@code dev.ledger.core},
 * {@code dev.ledger.core.spi} and {@code dev.ledger.core.memory} instead.
 */
@NullMarked
package dev.ledger.core.internal;

import org.jspecify.annotations.NullMarked;
