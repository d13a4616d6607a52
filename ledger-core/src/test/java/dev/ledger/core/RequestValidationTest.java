package dev.ledger.core;

import static dev.ledger.core.Rejections.assertRejects;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The checks of the requests callers build: {@link NewAccount} and {@link TransferRequest}. */
class RequestValidationTest {
    private static final AccountId ALICE = AccountId.of("alice");
    private static final AccountId BOB = AccountId.of("bob");
    private static final AccountId BANK = AccountId.of("bank");

    // ------------------------------------------------------------------------------------------- currencies

    @ParameterizedTest
    @ValueSource(strings = {"USD", "EUR", "BTC_SATS", "A12", "ABCDEFGHIJKLMNOP", "X_Y"})
    void currency_valid_accepted(String currency) {
        assertEquals(currency, NewAccount.of(ALICE, currency).currency());
        assertEquals(currency, TransferRequest.of(ALICE, BOB, 1, currency).currency());
    }

    static Stream<Arguments> invalidCurrencies() {
        return Stream.of(
                Arguments.of("", "''"),
                Arguments.of("usd", "'usd'"),
                Arguments.of("US", "'US'"),
                Arguments.of("ABCDEFGHIJKLMNOPQ", "'ABCDEFGHIJKLMNOPQ'"),
                Arguments.of("1USD", "'1USD'"),
                Arguments.of("_USD", "'_USD'"),
                Arguments.of("US D", "'US D'"),
                Arguments.of("US-D", "'US-D'"),
                Arguments.of("\u00dcSD", "'\u00dcSD'"),
                Arguments.of("USD\u0000", "'USD\\u0000'"),
                Arguments.of(" USD", "' USD'"));
    }

    @ParameterizedTest
    @MethodSource("invalidCurrencies")
    void currency_invalid_rejectedWithInvalidCurrencyNamingIt(String currency, String quoted) {
        assertRejects(
                RejectionReason.INVALID_CURRENCY,
                () -> NewAccount.of(ALICE, currency),
                "currency of account alice " + quoted);
        assertRejects(
                RejectionReason.INVALID_CURRENCY,
                () -> TransferRequest.of(ALICE, BOB, 1, currency),
                "currency " + quoted);
    }

    // ------------------------------------------------------------------------------------------- references

    @ParameterizedTest
    @ValueSource(strings = {"", "rent", "caf\u00e9 \u2603", "\ud83d\ude00 emoji pair", "tab\tand newline\n"})
    void reference_wellFormed_accepted(String reference) {
        assertEquals(
                reference,
                TransferRequest.of(ALICE, BOB, 1, "USD")
                        .withReference(reference)
                        .reference());
    }

    @Test
    void reference_256Characters_acceptedAnd257Rejected() {
        assertEquals(
                256,
                TransferRequest.of(ALICE, BOB, 1, "USD")
                        .withReference("r".repeat(256))
                        .reference()
                        .length());
        assertRejects(
                RejectionReason.INVALID_REFERENCE,
                () -> TransferRequest.of(ALICE, BOB, 1, "USD").withReference("r".repeat(257)),
                "257 characters",
                "256");
    }

    static Stream<Arguments> malformedReferences() {
        return Stream.of(
                Arguments.of("abc\u0000", "NUL at index 3"),
                Arguments.of("\u0000", "NUL at index 0"),
                Arguments.of("abc\ud800", "unpaired surrogate at index 3"),
                Arguments.of("a\ud800b", "unpaired surrogate at index 1"),
                Arguments.of("\udc00x", "unpaired surrogate at index 0"),
                Arguments.of("\ude00\ud83d", "unpaired surrogate at index 0"),
                Arguments.of("\ud83d\ude00\ud83d", "unpaired surrogate at index 2"));
    }

    @ParameterizedTest
    @MethodSource("malformedReferences")
    void reference_malformed_rejectedWithInvalidReferenceNamingPosition(String reference, String detail) {
        assertRejects(
                RejectionReason.INVALID_REFERENCE,
                () -> TransferRequest.of(ALICE, BOB, 1, "USD").withReference(reference),
                detail);
        assertRejects(
                RejectionReason.INVALID_REFERENCE,
                () -> new TransferRequest(null, ALICE, BOB, 1, "USD", reference),
                detail);
    }

    // -------------------------------------------------------------------------------------- transfer request

    @Test
    void transferRequest_of_noIdNoReference() {
        TransferRequest request = TransferRequest.of(ALICE, BOB, 5, "USD");
        assertNull(request.id());
        assertNull(request.reference());
        UUID id = UUID.randomUUID();
        TransferRequest full = request.withId(id).withReference("x");
        assertEquals(new TransferRequest(id, ALICE, BOB, 5, "USD", "x"), full);
        assertNull(full.withReference(null).reference());
    }

    @ParameterizedTest
    @ValueSource(longs = {0, -1, -1_000, Long.MIN_VALUE})
    void transferRequest_nonPositiveAmount_rejectedWithNonPositiveAmount(long amount) {
        assertRejects(
                RejectionReason.NON_POSITIVE_AMOUNT,
                () -> TransferRequest.of(ALICE, BOB, amount, "USD"),
                "amount is " + amount);
    }

    @Test
    void transferRequest_sameAccount_rejectedWithSameAccount() {
        assertRejects(
                RejectionReason.SAME_ACCOUNT,
                () -> TransferRequest.of(ALICE, ALICE, 1, "USD"),
                "source and destination are both alice");
    }

    @Test
    void transferRequest_nulls_rejectedWithMissingValueNamingField() {
        assertRejects(RejectionReason.MISSING_VALUE, () -> TransferRequest.of(null, BOB, 1, "USD"), "source is null");
        assertRejects(
                RejectionReason.MISSING_VALUE, () -> TransferRequest.of(ALICE, null, 1, "USD"), "destination is null");
        assertRejects(RejectionReason.MISSING_VALUE, () -> TransferRequest.of(ALICE, BOB, 1, null), "currency is null");
        assertRejects(
                RejectionReason.MISSING_VALUE,
                () -> TransferRequest.of(ALICE, BOB, 1, "USD").withId(null),
                "id is null");
    }

    // ------------------------------------------------------------------------------------------ new account

    @Test
    void newAccount_factories_setKindAndNoFunding() {
        NewAccount plain = NewAccount.of(ALICE, "USD");
        assertFalse(plain.issuer());
        assertEquals(0, plain.openingBalance());
        assertNull(plain.fundedBy());
        assertNull(plain.fundingTransferId());
        assertTrue(NewAccount.issuer(BANK, "USD").issuer());
        UUID id = UUID.randomUUID();
        NewAccount funded = plain.withOpeningBalance(10, BANK).withFundingTransferId(id);
        assertEquals(new NewAccount(ALICE, "USD", false, 10, BANK, id), funded);
    }

    @ParameterizedTest
    @ValueSource(longs = {-1, -500, Long.MIN_VALUE})
    void newAccount_negativeOpeningBalance_rejectedWithNegativeOpeningBalance(long balance) {
        assertRejects(
                RejectionReason.NEGATIVE_OPENING_BALANCE,
                () -> NewAccount.of(ALICE, "USD").withOpeningBalance(balance, BANK),
                "alice",
                String.valueOf(balance));
        assertRejects(
                RejectionReason.NEGATIVE_OPENING_BALANCE,
                () -> new NewAccount(ALICE, "USD", false, balance, null, null),
                "alice",
                String.valueOf(balance));
    }

    @Test
    void newAccount_positiveBalanceWithoutIssuer_rejectedWithMissingValue() {
        assertRejects(
                RejectionReason.MISSING_VALUE,
                () -> new NewAccount(ALICE, "USD", false, 10, null, null),
                "opening balance 10 of account alice",
                "fundedBy is null");
        assertRejects(
                RejectionReason.MISSING_VALUE,
                () -> NewAccount.of(ALICE, "USD").withOpeningBalance(10, null),
                "funding issuer is null");
    }

    @Test
    void newAccount_fundingWithZeroBalance_rejectedWithInvalidRequest() {
        assertRejects(
                RejectionReason.INVALID_REQUEST,
                () -> new NewAccount(ALICE, "USD", false, 0, BANK, null),
                "alice",
                "opening balance is 0");
        assertRejects(
                RejectionReason.INVALID_REQUEST,
                () -> new NewAccount(ALICE, "USD", false, 0, null, UUID.randomUUID()),
                "alice");
        assertRejects(
                RejectionReason.INVALID_REQUEST,
                () -> NewAccount.of(ALICE, "USD").withOpeningBalance(0, BANK),
                "alice");
        assertRejects(
                RejectionReason.INVALID_REQUEST,
                () -> NewAccount.of(ALICE, "USD").withFundingTransferId(UUID.randomUUID()),
                "alice");
    }

    @Test
    void newAccount_fundedBySelf_rejectedWithSameAccount() {
        assertRejects(
                RejectionReason.SAME_ACCOUNT,
                () -> NewAccount.of(ALICE, "USD").withOpeningBalance(1, ALICE),
                "account alice cannot fund its own opening balance");
    }

    @Test
    void newAccount_nulls_rejectedWithMissingValue() {
        assertRejects(RejectionReason.MISSING_VALUE, () -> NewAccount.of(null, "USD"), "account id is null");
        assertRejects(
                RejectionReason.MISSING_VALUE,
                () -> NewAccount.issuer(ALICE, null),
                "currency of account alice is null");
        assertRejects(
                RejectionReason.MISSING_VALUE,
                () -> NewAccount.of(ALICE, "USD").withOpeningBalance(5, BANK).withFundingTransferId(null),
                "funding transfer id is null");
    }
}
