/** Runnable examples; the README's snippets are compiled from here. Not deployed. */
@NullMarked
package dev.ledger.examples;

import org.jspecify.annotations.NullMarked;
