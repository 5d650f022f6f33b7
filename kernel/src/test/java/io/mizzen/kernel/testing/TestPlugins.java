package io.mizzen.kernel.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/** The real plugin jars the reactor built (copied by maven-dependency-plugin), and variants of them. */
public final class TestPlugins {
  private TestPlugins() {}

  public static Path folder() {
    String dir = System.getProperty("mizzen.testPlugins");
    if (dir == null) {
      throw new IllegalStateException("system property mizzen.testPlugins is not set: run through Maven");
    }
    return Path.of(dir);
  }

  /** The sample header-stamp plugin jar. */
  public static Path headerStamp() {
    return folder().resolve("sample-header-stamp.jar");
  }

  /** The test plugin whose mesh function throws at start. */
  public static Path failingFunction() {
    return folder().resolve("test-plugin-failing-function.jar");
  }

  /**
   * A copy of {@code source} whose manifest says other things: a new id and SPI range, say.
   * Every other entry is copied as it is.
   */
  public static Path withManifest(Path source, Path target, String id, String requires)
      throws IOException {
    try (JarFile in = new JarFile(source.toFile())) {
      Manifest manifest = new Manifest(in.getManifest());
      Attributes main = manifest.getMainAttributes();
      main.putValue("Plugin-Id", id);
      main.putValue("Plugin-Requires", requires);
      try (OutputStream file = Files.newOutputStream(target);
          JarOutputStream out = new JarOutputStream(file, manifest)) {
        Enumeration<JarEntry> entries = in.entries();
        while (entries.hasMoreElements()) {
          JarEntry entry = entries.nextElement();
          if (entry.getName().equalsIgnoreCase("META-INF/MANIFEST.MF")) {
            continue;
          }
          out.putNextEntry(new JarEntry(entry.getName()));
          try (InputStream data = in.getInputStream(entry)) {
            data.transferTo(out);
          }
          out.closeEntry();
        }
      }
    }
    return target;
  }
}
