package dev.ledger.service;

import dev.ledger.core.AccountId;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.jdbc.core.JdbcTemplate;

/** The service's beans: money at the configured scale, the idempotency table, request ids. */
@Configuration(proxyBeanMethods = false)
class ServiceConfiguration {
    /** The seed's service account: the issuer every opening balance comes from. */
    static final AccountId SERVICE_ACCOUNT = AccountId.of("00000000-0000-0000-0000-000000000000");

    @Bean
    Money money(ServiceProperties properties) {
        return new Money(properties.scale());
    }

    @Bean
    Idempotency idempotency(JdbcTemplate jdbc) {
        Idempotency idempotency = new Idempotency(jdbc);
        idempotency.createTable();
        return idempotency;
    }

    @Bean
    FilterRegistrationBean<ErrorBodies> requestIds() {
        FilterRegistrationBean<ErrorBodies> registration = new FilterRegistrationBean<>(new ErrorBodies());
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
        return registration;
    }
}
