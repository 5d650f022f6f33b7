/**
 * The opentelemetry adapter: metric, logentry and tracespan instances exported over OTLP/HTTP
 * through the OpenTelemetry SDK (carried inside the plugin jar, relocated).
 */
package io.mizzen.plugins.otel;
