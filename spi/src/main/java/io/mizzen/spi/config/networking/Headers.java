package io.mizzen.spi.config.networking;

/**
 * Header edits for the request (before forwarding) and the response (before returning).
 *
 * @param request edits to the request, or {@code null}
 * @param response edits to the response, or {@code null}
 */
public record Headers(HeaderOperations request, HeaderOperations response) {}
