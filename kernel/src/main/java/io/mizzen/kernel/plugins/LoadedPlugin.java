package io.mizzen.kernel.plugins;

import java.nio.file.Path;
import java.util.List;

/**
 * A plugin that loaded and whose extensions started.
 *
 * @param id the {@code Plugin-Id}
 * @param version the {@code Plugin-Version}
 * @param requires the SPI range it declared
 * @param provider the {@code Plugin-Provider}
 * @param file the jar it came from
 * @param extensions its extensions
 */
public record LoadedPlugin(
    String id, String version, String requires, String provider, Path file,
    List<ExtensionInfo> extensions) {
  public LoadedPlugin {
    extensions = List.copyOf(extensions);
  }

  /**
   * One extension of a plugin.
   *
   * @param point the extension point's simple name, such as {@code MixerAdapter}
   * @param className the implementing class
   * @param name the name it answers to ({@code name()} of the extension), or its class name
   */
  public record ExtensionInfo(String point, String className, String name) {}
}
