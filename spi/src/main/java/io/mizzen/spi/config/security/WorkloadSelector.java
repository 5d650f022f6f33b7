package io.mizzen.spi.config.security;

import java.util.Map;

/** @param matchLabels labels the selected workloads carry; empty selects the whole namespace */
public record WorkloadSelector(Map<String, String> matchLabels) {}
