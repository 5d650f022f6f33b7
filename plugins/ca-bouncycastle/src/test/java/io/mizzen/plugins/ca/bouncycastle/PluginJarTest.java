package io.mizzen.plugins.ca.bouncycastle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mizzen.spi.ca.CertificateAuthority;
import io.mizzen.spi.ca.IssuedCertificate;
import io.mizzen.spi.ca.SigningRequest;
import io.mizzen.spi.ca.SpiffeId;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.pf4j.JarPluginManager;
import org.pf4j.PluginManager;
import org.pf4j.PluginState;

/**
 * The plugin as the kernel meets it: a jar holding only the plugin's own classes (spi, Vert.x,
 * PF4J and BouncyCastle come from the host), loaded through PF4J's real plugin manager.
 */
@ExtendWith(VertxExtension.class)
class PluginJarTest {
  @TempDir Path plugins;
  @TempDir Path state;

  @Test
  void theJarLoadsThroughPf4jAndSigns(Vertx vertx) throws Exception {
    writePluginJar(plugins.resolve("ca-bouncycastle.jar"));
    PluginManager manager = new JarPluginManager(plugins);
    manager.setSystemVersion("1.0.0");
    manager.loadPlugins();
    manager.startPlugins();
    try {
      assertEquals(PluginState.STARTED, manager.getPlugin("ca-bouncycastle").getPluginState());
      // By plugin id: the test's own class path also holds the extension index, as a "system" one.
      List<CertificateAuthority> cas = manager.getExtensions(CertificateAuthority.class, "ca-bouncycastle");
      assertEquals(1, cas.size());
      CertificateAuthority ca = cas.get(0);
      assertEquals("bouncycastle", ca.name());
      assertNotSame(BouncyCastleAuthority.class, ca.getClass(), "loaded by the plugin's own class loader, not the test's");
      assertEquals(manager.getPluginClassLoader("ca-bouncycastle"), ca.getClass().getClassLoader());

      Await.result(ca.start(StandaloneMeshContext.of(vertx, state, Map.of())));
      IssuedCertificate issued = Await.result(ca.sign(new SigningRequest(Csrs.forSpiffe(Csrs.ec(), Csrs.SPIFFE_A), SpiffeId.parse(Csrs.SPIFFE_A), null)));
      assertTrue(issued.certificatePem().startsWith("-----BEGIN CERTIFICATE-----"));
    } finally {
      manager.stopPlugins();
      manager.unloadPlugins();
    }
  }

  @Test
  void aHostWithAnIncompatibleSpiRefusesIt() throws Exception {
    writePluginJar(plugins.resolve("ca-bouncycastle.jar"));
    PluginManager manager = new JarPluginManager(plugins);
    manager.setSystemVersion("2.0.0");
    manager.loadPlugins();
    manager.startPlugins();
    try {
      assertEquals(PluginState.DISABLED, manager.getPlugin("ca-bouncycastle").getPluginState());
      assertTrue(manager.getStartedPlugins().isEmpty());
    } finally {
      manager.unloadPlugins();
    }
  }

  /** The jar Maven builds: this module's classes and extension index, and the manifest of plugins/pom.xml. */
  private static void writePluginJar(Path jar) throws Exception {
    Path classes = Path.of(BouncyCastleAuthority.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    Manifest manifest = new Manifest();
    Attributes main = manifest.getMainAttributes();
    main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
    main.putValue("Plugin-Id", "ca-bouncycastle");
    main.putValue("Plugin-Version", "0.1.0");
    main.putValue("Plugin-Requires", ">=1.0.0 & <2.0.0");
    main.putValue("Plugin-Provider", "Mizzen");
    try (OutputStream out = Files.newOutputStream(jar); JarOutputStream jarOut = new JarOutputStream(out, manifest);
        Stream<Path> files = Files.walk(classes)) {
      for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
        jarOut.putNextEntry(new JarEntry(classes.relativize(file).toString().replace('\\', '/')));
        jarOut.write(Files.readAllBytes(file));
        jarOut.closeEntry();
      }
    }
  }
}
