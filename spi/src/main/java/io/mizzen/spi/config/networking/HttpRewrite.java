package io.mizzen.spi.config.networking;

/**
 * Rewrites before forwarding.
 *
 * @param uri replaces the part of the path matched by the match's {@code uri} (the prefix, or
 *     the whole path for exact and regex)
 * @param authority replaces the authority (Host header)
 */
public record HttpRewrite(String uri, String authority) {}
