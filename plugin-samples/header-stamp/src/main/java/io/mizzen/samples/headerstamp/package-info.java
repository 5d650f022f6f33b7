/**
 * A sample third-party plugin: an {@link io.mizzen.spi.filter.HttpFilter} that stamps a header
 * on each request. Built against spi alone; see this module's README for the walk-through.
 */
package io.mizzen.samples.headerstamp;
