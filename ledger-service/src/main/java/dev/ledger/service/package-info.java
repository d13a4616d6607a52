/**
 * The seed's HTTP transfer service on the library and its Spring Boot starter: an example of embedding. Not deployed.
 */
@NullMarked
package dev.ledger.service;

import org.jspecify.annotations.NullMarked;
