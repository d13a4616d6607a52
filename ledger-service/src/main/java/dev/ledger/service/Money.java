package dev.ledger.service;

import java.math.BigDecimal;

/** JSON decimals to the ledger's minor units and back, at a fixed scale; never through {@code double}. */
final class Money {
    private final int scale;

    Money(int scale) {
        this.scale = scale;
    }

    /** @throws ApiException 400 when the value has more decimal places than the scale or exceeds a long */
    long toMinor(BigDecimal value, String field) {
        BigDecimal stripped = value.signum() == 0 ? BigDecimal.ZERO : value.stripTrailingZeros();
        if (stripped.scale() > scale) {
            throw ApiException.badRequest(
                    field + " has more than " + scale + " decimal places: " + Json.abbreviate(value.toString()));
        }
        try {
            return stripped.movePointRight(scale).longValueExact();
        } catch (ArithmeticException e) {
            throw ApiException.badRequest(field + " is out of range (at most " + toDecimal(Long.MAX_VALUE) + "): "
                    + Json.abbreviate(value.toString()));
        }
    }

    BigDecimal toDecimal(long minor) {
        return BigDecimal.valueOf(minor, scale);
    }
}
