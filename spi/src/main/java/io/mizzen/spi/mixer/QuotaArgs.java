package io.mizzen.spi.mixer;

/**
 * How a quota is asked for.
 *
 * @param amount how much to allocate
 * @param deduplicationId a caller-chosen id; a retried request with the same id is not counted twice
 * @param bestEffort whether fewer than {@code amount} may be granted
 */
public record QuotaArgs(long amount, String deduplicationId, boolean bestEffort) {}
