package io.mizzen.kernel.mixer.runtime;

/**
 * What one handler has done so far.
 *
 * @param handler its fully qualified name
 * @param calls adapter calls made
 * @param errors calls that failed (including timeouts) or whose instance could not be built
 * @param timeouts calls that did not answer within the adapter timeout
 */
public record HandlerCounts(String handler, long calls, long errors, long timeouts) {}
