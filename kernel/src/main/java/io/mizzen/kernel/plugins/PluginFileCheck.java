package io.mizzen.kernel.plugins;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Enumeration;
import java.util.Map;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.pf4j.ManifestPluginDescriptorFinder;
import org.pf4j.PluginDescriptor;
import org.pf4j.PluginManager;
import org.pf4j.PropertiesPluginDescriptorFinder;

/**
 * Judges a plugin file before PF4J sees it, so every refusal can say exactly what is wrong:
 * an unreadable or corrupt archive, a missing descriptor, an SPI range that excludes this
 * kernel, an id another loaded jar already has. Zips are expanded into the work folder.
 */
final class PluginFileCheck {
  private final PluginManager manager;
  private final String spiVersion;
  private final Path workDir;

  PluginFileCheck(PluginManager manager, String spiVersion, Path workDir) {
    this.manager = manager;
    this.spiVersion = spiVersion;
    this.workDir = workDir;
  }

  /**
   * Blocking. Returns the path PF4J should load (the jar, or a zip's expanded folder).
   *
   * @throws PluginRefusedException with the reason
   */
  Path check(Path file, Map<String, Pf4jPluginHost.PluginEntry> loaded) {
    readWhole(file);
    Path loadable = file.getFileName().toString().endsWith(".zip") ? expand(file) : file;
    PluginDescriptor descriptor;
    try {
      descriptor = loadable == file
          ? new ManifestPluginDescriptorFinder().find(file)
          : new PropertiesPluginDescriptorFinder().find(loadable);
    } catch (RuntimeException e) {
      throw new PluginRefusedException("no valid plugin descriptor (a jar needs Plugin-Id, "
          + "Plugin-Version and Plugin-Requires in its manifest): " + Pf4jPluginHost.describe(e));
    }
    String id = descriptor.getPluginId();
    if (id == null || id.isBlank()) {
      throw new PluginRefusedException("its manifest has no Plugin-Id");
    }
    String requires = descriptor.getRequires() == null ? "" : descriptor.getRequires().trim();
    if (requires.isEmpty() || requires.equals("*")) {
      throw new PluginRefusedException("plugin '" + id + "' declares no Plugin-Requires: it must "
          + "name the SPI range it was built for, e.g. >=1.0.0 & <2.0.0 (this kernel's SPI is "
          + spiVersion + ")");
    }
    boolean fits;
    try {
      fits = manager.getVersionManager().checkVersionConstraint(spiVersion, requires);
    } catch (RuntimeException e) {
      throw new PluginRefusedException("plugin '" + id + "' has an unreadable Plugin-Requires '"
          + requires + "': " + Pf4jPluginHost.describe(e));
    }
    if (!fits) {
      throw new PluginRefusedException("plugin '" + id + "' requires SPI " + requires
          + " but this kernel's SPI is " + spiVersion);
    }
    Pf4jPluginHost.PluginEntry other = loaded.get(id);
    if (other != null) {
      throw new PluginRefusedException("duplicate plugin id '" + id + "': already loaded from "
          + other.plugin().file().getFileName());
    }
    return loadable;
  }

  /**
   * Opens the archive and reads its central directory and descriptor entries, so a truncated or
   * corrupt archive is refused here with its reason. Class entries are not all inflated up front
   * (a 16 MB plugin would cost a third of a second at every start); a damaged class still fails
   * the plugin when it is loaded, and that refusal names it too.
   */
  private static void readWhole(Path file) {
    try (ZipFile zip = file.getFileName().toString().endsWith(".jar")
        ? new JarFile(file.toFile(), true) : new ZipFile(file.toFile())) {
      byte[] buffer = new byte[8192];
      for (String name : new String[] {"META-INF/MANIFEST.MF", "META-INF/extensions.idx",
          "plugin.properties"}) {
        ZipEntry entry = zip.getEntry(name);
        if (entry == null) {
          continue;
        }
        try (InputStream in = zip.getInputStream(entry)) {
          while (in.read(buffer) >= 0) {
            // drain: decompression and CRC errors surface here
          }
        }
      }
    } catch (IOException | SecurityException e) {
      throw new PluginRefusedException("corrupt or unreadable archive: " + Pf4jPluginHost.describe(e));
    }
  }

  private Path expand(Path zipFile) {
    String name = zipFile.getFileName().toString();
    Path target = workDir.resolve(name.substring(0, name.length() - 4));
    try {
      Files.createDirectories(target);
      try (ZipFile zip = new ZipFile(zipFile.toFile())) {
        Enumeration<? extends ZipEntry> entries = zip.entries();
        while (entries.hasMoreElements()) {
          ZipEntry entry = entries.nextElement();
          Path out = target.resolve(entry.getName()).normalize();
          if (!out.startsWith(target)) {
            throw new PluginRefusedException("zip entry '" + entry.getName() + "' escapes its folder");
          }
          if (entry.isDirectory()) {
            Files.createDirectories(out);
          } else {
            Files.createDirectories(out.getParent());
            try (InputStream in = zip.getInputStream(entry)) {
              Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
            }
          }
        }
      }
    } catch (IOException e) {
      throw new PluginRefusedException("cannot expand zip: " + Pf4jPluginHost.describe(e));
    }
    return target;
  }
}
