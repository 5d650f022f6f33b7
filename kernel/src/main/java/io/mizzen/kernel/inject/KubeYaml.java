package io.mizzen.kernel.inject;

import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.api.Dump;
import org.snakeyaml.engine.v2.api.DumpSettings;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.common.FlowStyle;
import org.snakeyaml.engine.v2.nodes.Tag;
import org.snakeyaml.engine.v2.resolver.ScalarResolver;
import org.snakeyaml.engine.v2.schema.CoreSchema;

/** YAML settings shared by the injector: how manifests are read and how rewritten ones are written. */
final class KubeYaml {

  /**
   * kubectl reads YAML 1.1, where {@code on}, {@code yes}, {@code y} … are booleans; our dumper
   * speaks 1.2. Treating those words as booleans when dumping makes the emitter quote such
   * strings, so a label value "on" stays a string for kubectl.
   */
  private static final Pattern YAML11_BOOL =
      Pattern.compile("^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)$");

  private KubeYaml() {}

  static LoadSettings loadSettings(String label) {
    return LoadSettings.builder().setLabel(label).setUseMarks(true).setAllowDuplicateKeys(false).build();
  }

  static Load loader(String label) {
    return new Load(loadSettings(label));
  }

  static Dump dumper() {
    CoreSchema core = new CoreSchema();
    ScalarResolver resolver = (value, implicit) ->
        implicit && YAML11_BOOL.matcher(value).matches() ? Tag.BOOL : core.getScalarResolver().resolve(value, implicit);
    CoreSchema schema = new CoreSchema() {
      @Override
      public ScalarResolver getScalarResolver() {
        return resolver;
      }
    };
    DumpSettings settings = DumpSettings.builder()
        .setDefaultFlowStyle(FlowStyle.BLOCK)
        .setIndent(2)
        .setWidth(Integer.MAX_VALUE)
        .setSplitLines(false)
        .setSchema(schema)
        .build();
    return new Dump(settings);
  }
}
