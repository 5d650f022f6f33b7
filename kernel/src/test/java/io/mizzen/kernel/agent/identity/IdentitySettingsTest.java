package io.mizzen.kernel.agent.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The citadel-agent settings and the fallbacks the data-plane agent's workload gives them. */
class IdentitySettingsTest {
  private static final Map<String, Object> FILES = Map.of("tokenFile", "/etc/mizzen/token", "rootCertFile", "/etc/mizzen/root-cert.pem");

  @Test
  void namespaceAccountAndControlPlaneComeFromTheWorkloadWhenUnset() {
    IdentitySettings s = IdentitySettings.from(FILES, "istio-system",
        new IdentitySettings.Workload("shop", "reviews", "10.0.0.7", 25012));
    assertEquals("shop", s.namespace());
    assertEquals("reviews", s.serviceAccount());
    assertEquals("10.0.0.7", s.controlPlaneHost());
    assertEquals(25012, s.controlPlanePort());
    assertEquals(Path.of("/etc/mizzen/token"), s.tokenFile());
  }

  @Test
  void explicitSettingsWinOverTheWorkload() {
    Map<String, Object> raw = new java.util.HashMap<>(FILES);
    raw.put("namespace", "default");
    raw.put("serviceAccount", "ratings");
    raw.put("controlPlane", "127.0.0.1:4012");
    IdentitySettings s = IdentitySettings.from(raw, "istio-system", new IdentitySettings.Workload("shop", "reviews", "10.0.0.7", 25012));
    assertEquals("default", s.namespace());
    assertEquals("ratings", s.serviceAccount());
    assertEquals("127.0.0.1", s.controlPlaneHost());
    assertEquals(4012, s.controlPlanePort());
  }

  @Test
  void withoutAWorkloadTheControlPlaneIsIstiodOn15012AndTheIdentityIsRequired() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> IdentitySettings.from(FILES, "mesh-root", new IdentitySettings.Workload(null, null, null, 0)));
    assertTrue(e.getMessage().contains("namespace") && e.getMessage().contains("serviceAccount"), e.getMessage());
    Map<String, Object> raw = new java.util.HashMap<>(FILES);
    raw.put("namespace", "default");
    raw.put("serviceAccount", "ratings");
    IdentitySettings s = IdentitySettings.from(raw, "mesh-root", new IdentitySettings.Workload(null, null, null, 0));
    assertEquals("istiod.mesh-root.svc", s.controlPlaneHost());
    assertEquals(15012, s.controlPlanePort());
  }

  @Test
  void badFieldsAreNamed() {
    Map<String, Object> raw = new java.util.HashMap<>(FILES);
    raw.put("controlPlane", "host:99999");
    raw.put("keyType", "DSA");
    raw.put("colour", "red");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> IdentitySettings.from(raw, "istio-system", new IdentitySettings.Workload("ns", "sa", null, 0)));
    assertTrue(e.getMessage().contains("controlPlane") && e.getMessage().contains("keyType") && e.getMessage().contains("colour"),
        e.getMessage());
  }
}
