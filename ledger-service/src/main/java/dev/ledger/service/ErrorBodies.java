package dev.ledger.service;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Every error body is {@code {"request_id": ..., "error": ...}}; the id is the request's {@code X-Request-ID} when it
 * has a usable one (1 to 200 visible ASCII characters), else a new UUID, and is echoed in the response's
 * {@code X-Request-ID} header.
 */
final class ErrorBodies extends OncePerRequestFilter {
    static final String HEADER = "X-Request-ID";
    private static final String ATTRIBUTE = ErrorBodies.class.getName() + ".requestId";

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String id = request.getHeader(HEADER);
        if (id == null || id.isEmpty() || id.length() > 200 || !id.chars().allMatch(c -> c >= 0x21 && c <= 0x7e)) {
            id = UUID.randomUUID().toString();
        }
        request.setAttribute(ATTRIBUTE, id);
        response.setHeader(HEADER, id);
        chain.doFilter(request, response);
    }

    @Override
    protected boolean shouldNotFilterErrorDispatch() {
        return false; // the error page's body needs the id too
    }

    /** The id of the request being served (a new one outside a request). */
    static String requestId() {
        RequestAttributes attributes = RequestContextHolder.getRequestAttributes();
        Object id = attributes == null ? null : attributes.getAttribute(ATTRIBUTE, RequestAttributes.SCOPE_REQUEST);
        return id instanceof String s ? s : UUID.randomUUID().toString();
    }

    static String body(String error) {
        Map<String, String> body = new LinkedHashMap<>();
        body.put("request_id", requestId());
        body.put("error", error);
        return Json.write(body);
    }
}
