package io.mizzen.spi.config.networking;

import io.mizzen.spi.config.bind.Oneof;

/**
 * How to match a string: exactly one of exact, prefix or regex (RE2 syntax in Istio; Mizzen
 * compiles it with {@link java.util.regex.Pattern}).
 */
@Oneof(value = {"exact", "prefix", "regex"}, required = true)
public record StringMatch(String exact, String prefix, String regex) {}
