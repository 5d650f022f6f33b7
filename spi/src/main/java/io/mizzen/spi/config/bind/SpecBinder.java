package io.mizzen.spi.config.bind;

/**
 * Binds an untyped tree (maps, lists, strings, numbers, booleans, as a YAML or JSON reader gives
 * them) to a record type, strictly: every unknown field, wrong type, bad enum constant, bad
 * duration, missing {@link Required} field and broken {@link Oneof} is reported with its field
 * path, and binding carries on so that one pass reports them all.
 *
 * <p>Mapping rules: a record binds from a map whose keys are its component names (the
 * snake_case spelling protobuf's JSON also accepts is taken too); {@code List<T>} from a list;
 * {@code Map<String, T>} from a map (keys taken as strings); {@code String}, {@code Boolean},
 * {@code Integer}, {@code Long}, {@code Double} from matching scalars; enums from their constant
 * names; {@link java.time.Duration} through {@link IstioDuration}; {@link IntOrString} from
 * either scalar; {@code Object} as given. Absent lists and maps bind as empty, other absent
 * fields as {@code null}; a record field written with no value ({@code mtls:}) binds as the
 * record with nothing set, as Istio reads it.
 */
public interface SpecBinder {

  /** The strict binder. It keeps no state and may be shared. */
  static SpecBinder strict() {
    return new ReflectiveBinder();
  }

  /**
   * Binds {@code tree} to {@code type}.
   *
   * @param tree the untyped value, normally a {@code Map<String, Object>}
   * @param type the record type to build
   * @param path the path of {@code tree} itself, prefixed to every error's field (such as
   *     {@code spec}); may be empty
   * @return the value and every error found; never throws for bad input
   */
  <T extends Record> Bound<T> bind(Object tree, Class<T> type, String path);
}
