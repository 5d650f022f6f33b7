package io.mizzen.spi.mixer;

import java.time.Duration;

/**
 * An adapter's answer to a quota request.
 *
 * @param granted how much of the asked amount was granted (0 when exhausted)
 * @param validDuration how long the grant is good for
 */
public record QuotaResult(long granted, Duration validDuration) {}
