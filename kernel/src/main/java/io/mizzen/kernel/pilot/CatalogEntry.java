package io.mizzen.kernel.pilot;

import io.mizzen.spi.wire.pilot.Item;

/**
 * A resource or instance with its key and wire form, made once per change for all proxies. An
 * unchanged value keeps its entry (and the very object), so a proxy's delta is an identity test.
 *
 * @param key the key it travels under
 * @param value the resource or instance
 * @param item its wire form
 */
record CatalogEntry<T>(String key, T value, Item item) {}
