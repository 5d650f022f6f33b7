package io.mizzen.spi.config.bind;

import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the binder needs to know about a record type, looked up once per type: reflection on
 * record components and annotations is slow enough to dominate binding when repeated.
 *
 * @param type the record type
 * @param names component names, in declaration order
 * @param types component types (raw)
 * @param genericTypes component types (with type arguments)
 * @param required which components carry {@link Required}
 * @param index component position by name
 * @param oneof the type's {@link Oneof}, or {@code null}
 * @param constructor the canonical constructor
 */
record RecordModel(
    Class<?> type, String[] names, Class<?>[] types, Type[] genericTypes, boolean[] required,
    Map<String, Integer> index, Oneof oneof, Constructor<?> constructor) {

  // A per-class memo of immutable reflection facts, not shared mutable state: ClassValue ties
  // each entry to its class's lifetime, so plugin class loaders are not pinned.
  private static final ClassValue<RecordModel> MODELS = new ClassValue<>() {
    @Override
    protected RecordModel computeValue(Class<?> type) {
      return build(type);
    }
  };

  static RecordModel of(Class<?> type) {
    return MODELS.get(type);
  }

  private static RecordModel build(Class<?> type) {
    RecordComponent[] components = type.getRecordComponents();
    int n = components.length;
    String[] names = new String[n];
    Class<?>[] types = new Class<?>[n];
    Type[] generic = new Type[n];
    boolean[] required = new boolean[n];
    Map<String, Integer> index = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      names[i] = components[i].getName();
      types[i] = components[i].getType();
      generic[i] = components[i].getGenericType();
      required[i] = components[i].isAnnotationPresent(Required.class);
      index.put(names[i], i);
    }
    try {
      Constructor<?> ctor = type.getDeclaredConstructor(types);
      ctor.setAccessible(true);
      return new RecordModel(type, names, types, generic, required, index, type.getAnnotation(Oneof.class), ctor);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot bind " + type.getName() + ": no canonical constructor", e);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RecordModel m && m.type == type;
  }

  @Override
  public int hashCode() {
    return type.hashCode();
  }

  @Override
  public String toString() {
    return "RecordModel" + Arrays.toString(names);
  }
}
