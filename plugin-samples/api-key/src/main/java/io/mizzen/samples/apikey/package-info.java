/**
 * A third-party-style Mixer adapter built against Mizzen's SPI alone: admits requests whose
 * {@code listentry} value (an API key taken from a header) is one of the configured keys.
 */
package io.mizzen.samples.apikey;
