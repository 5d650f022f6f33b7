package io.mizzen.spi.config.networking;

import java.util.List;
import java.util.Map;

/**
 * Header edits applied in order set, add, remove.
 *
 * @param set headers to overwrite
 * @param add headers to append
 * @param remove header names to remove
 */
public record HeaderOperations(Map<String, String> set, Map<String, String> add, List<String> remove) {}
