package io.mizzen.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mizzen.spi.Role;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code plugins.settings.proxy.gatewayPorts} and {@code credentialsDir}. */
class GatewaySettingsTest {

  @Test
  void gatewayPortsMapServerPortsToBindPorts() {
    ProxyOptions o = ProxyFunction.options(Map.of("gatewayPorts", Map.of("80", 8080, 443, "0", "0", -1),
        "credentialsDir", "/tmp/creds"), Role.INGRESS);
    assertEquals(8080, o.gatewayListeners().bindPort(80));
    assertEquals(0, o.gatewayListeners().bindPort(443));
    assertEquals(-1, o.gatewayListeners().bindPort(31400), "key 0 rules every other port");
    assertEquals(Path.of("/tmp/creds"), o.gatewayListeners().credentialsDir());
  }

  @Test
  void withoutTheSettingEachServerPortBindsItsOwnNumber() {
    ProxyOptions o = ProxyFunction.options(Map.of(), Role.INGRESS);
    assertEquals(443, o.gatewayListeners().bindPort(443));
    assertEquals(-1, ProxyFunction.options(Map.of("gatewayPorts", "off"), Role.INGRESS).gatewayListeners().bindPort(443));
  }

  @Test
  void badValuesAreNamed() {
    IllegalArgumentException key = assertThrows(IllegalArgumentException.class,
        () -> ProxyFunction.options(Map.of("gatewayPorts", Map.of("http", 80)), Role.INGRESS));
    assertTrue(key.getMessage().contains("plugins.settings.proxy.gatewayPorts: key 'http' is not a port number"), key.getMessage());
    IllegalArgumentException range = assertThrows(IllegalArgumentException.class,
        () -> ProxyFunction.options(Map.of("gatewayPorts", Map.of("80", 70000)), Role.INGRESS));
    assertTrue(range.getMessage().contains("gatewayPorts.80 70000 must be -1 (off), 0 (ephemeral) or 1-65535"), range.getMessage());
    IllegalArgumentException wrapped = assertThrows(IllegalArgumentException.class,
        () -> ProxyFunction.options(Map.of("gatewayPorts", Map.of("80", 4294967376L)), Role.INGRESS));
    assertTrue(wrapped.getMessage().contains("gatewayPorts.80: '4294967376' is not a port number"), wrapped.getMessage());
    IllegalArgumentException fraction = assertThrows(IllegalArgumentException.class,
        () -> ProxyFunction.options(Map.of("outboundPort", 15001.5), Role.SIDECAR));
    assertTrue(fraction.getMessage().contains("outboundPort: '15001.5' is not a port number"), fraction.getMessage());
    IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
        () -> ProxyFunction.options(Map.of("gatewayPorts", "sometimes"), Role.INGRESS));
    assertTrue(shape.getMessage().contains("neither a map"), shape.getMessage());
  }
}
