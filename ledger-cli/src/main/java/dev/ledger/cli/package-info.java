/** The ledger's command-line tools, run from the {@code ledger-cli} jar: {@link dev.ledger.cli.VerifyCommand}. */
@NullMarked
package dev.ledger.cli;

import org.jspecify.annotations.NullMarked;
