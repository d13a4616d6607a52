package dev.ledger.service;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The service's {@code ledger.service.*} properties.
 *
 * @param currency the currency of every account (the seed's API has none)
 * @param scale decimal places of an amount: JSON {@code 12.34} is 1234 minor units at scale 2; more places are refused
 */
@ConfigurationProperties("ledger.service")
public record ServiceProperties(
        @DefaultValue("USD") String currency,
        @DefaultValue("2") int scale) {
    public ServiceProperties {
        if (scale < 0 || scale > 18) {
            throw new IllegalArgumentException("ledger.service.scale must be 0 to 18: " + scale);
        }
    }
}
