package io.mizzen.spi.config.networking;

import java.util.List;
import java.util.Map;

/**
 * The conditions of one HTTP match; all set conditions must hold (AND). Several matches in a
 * route are alternatives (OR).
 *
 * @param name a name for the match, appended to the route's name in logs
 * @param uri the path
 * @param scheme the URI scheme
 * @param method the HTTP method
 * @param authority the authority (Host header)
 * @param headers headers that must match (keys lower case)
 * @param withoutHeaders headers that must not match
 * @param queryParams query parameters that must match
 * @param port the port the request arrived on
 * @param sourceLabels labels the calling workload must carry
 * @param gateways gateways this match is limited to
 * @param ignoreUriCase whether {@code uri} matches case-insensitively
 * @param sourceNamespace the calling workload's namespace
 */
public record HttpMatchRequest(
    String name,
    StringMatch uri,
    StringMatch scheme,
    StringMatch method,
    StringMatch authority,
    Map<String, StringMatch> headers,
    Map<String, StringMatch> withoutHeaders,
    Map<String, StringMatch> queryParams,
    Integer port,
    Map<String, String> sourceLabels,
    List<String> gateways,
    Boolean ignoreUriCase,
    String sourceNamespace) {}
