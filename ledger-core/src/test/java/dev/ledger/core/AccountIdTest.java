package dev.ledger.core;

import static dev.ledger.core.Rejections.assertRejects;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class AccountIdTest {

    @ParameterizedTest
    @ValueSource(
            strings = {
                "a",
                "Z",
                "0",
                "alice",
                "A.b_c:d-e",
                "9-lives",
                "acct:42.usd_main",
                "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
            })
    void of_validId_keepsValue(String value) {
        AccountId id = AccountId.of(value);
        assertEquals(value, id.value());
        assertEquals(value, id.toString());
        assertEquals(new AccountId(value), id);
    }

    @Test
    void of_null_rejectedWithMissingValue() {
        assertRejects(RejectionReason.MISSING_VALUE, () -> AccountId.of(null), "account id is null");
        assertRejects(RejectionReason.MISSING_VALUE, () -> new AccountId(null), "account id is null");
    }

    static Stream<Arguments> invalidIds() {
        return Stream.of(
                Arguments.of("", "''"),
                Arguments.of(" ", "' '"),
                Arguments.of("-abc", "'-abc'"),
                Arguments.of(".abc", "'.abc'"),
                Arguments.of("_abc", "'_abc'"),
                Arguments.of(":abc", "':abc'"),
                Arguments.of("a b", "'a b'"),
                Arguments.of("a/b", "'a/b'"),
                Arguments.of("caf\u00e9", "'caf\u00e9'"),
                Arguments.of("\uff21bc", "'\uff21bc'"),
                Arguments.of("a\u0000b", "'a\\u0000b'"),
                Arguments.of("a\n", "'a\\u000a'"),
                Arguments.of("ab\ud800", "'ab\\ud800'"),
                Arguments.of("a".repeat(65), "'" + "a".repeat(65) + "'"),
                Arguments.of("x".repeat(200), "'" + "x".repeat(72) + "...(200 chars)'"));
    }

    @ParameterizedTest
    @MethodSource("invalidIds")
    void of_invalidId_rejectedWithInvalidAccountIdNamingIt(String value, String quoted) {
        assertRejects(RejectionReason.INVALID_ACCOUNT_ID, () -> AccountId.of(value), "account id " + quoted);
    }

    @Test
    void compareTo_mixedCase_ordersByValueCaseSensitively() {
        assertTrue(AccountId.of("a").compareTo(AccountId.of("b")) < 0);
        assertTrue(AccountId.of("B").compareTo(AccountId.of("a")) < 0);
        assertEquals(0, AccountId.of("x").compareTo(AccountId.of("x")));
        assertNotEquals(AccountId.of("abc"), AccountId.of("ABC"));
    }
}
