package io.mizzen.spi.config.bind;

import io.mizzen.spi.ConfigError;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@link SpecBinder} over {@link RecordComponent}s; see the interface for the mapping rules. */
final class ReflectiveBinder implements SpecBinder {

  @Override
  public <T extends Record> Bound<T> bind(Object tree, Class<T> type, String path) {
    List<ConfigError> errors = new ArrayList<>();
    Object value = bindRecord(tree == null ? Map.of() : tree, type, path == null ? "" : path, errors);
    return new Bound<>(type.cast(value), errors);
  }

  private Object bindValue(Object raw, Type type, String path, List<ConfigError> errors) {
    Class<?> raw0 = rawClass(type);
    if (raw0 == Object.class) {
      return raw;
    }
    if (raw0 == List.class) {
      if (!(raw instanceof List<?> list)) {
        errors.add(new ConfigError(path, "expected a list, got " + Scalars.describe(raw)));
        return List.of();
      }
      Type element = typeArgument(type, 0);
      List<Object> out = new ArrayList<>(list.size());
      for (int i = 0; i < list.size(); i++) {
        Object v = bindValue(list.get(i), element, path + "[" + i + "]", errors);
        if (v != null) {
          out.add(v);
        }
      }
      return List.copyOf(out);
    }
    if (raw0 == Map.class) {
      if (!(raw instanceof Map<?, ?> map)) {
        errors.add(new ConfigError(path, "expected a map, got " + Scalars.describe(raw)));
        return Map.of();
      }
      Type valueType = typeArgument(type, 1);
      Map<String, Object> out = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : map.entrySet()) {
        String key = String.valueOf(e.getKey());
        Object v = bindValue(e.getValue(), valueType, join(path, key), errors);
        if (v != null) {
          out.put(key, v);
        }
      }
      return java.util.Collections.unmodifiableMap(out);
    }
    if (raw0.isRecord() && raw0 != IntOrString.class) {
      return bindRecord(raw == null ? Map.of() : raw, raw0, path, errors);
    }
    return Scalars.bind(raw, raw0, type, path, errors);
  }


  private Object bindRecord(Object raw, Class<?> type, String path, List<ConfigError> errors) {
    if (!(raw instanceof Map<?, ?> map)) {
      errors.add(new ConfigError(path, "expected a map (" + type.getSimpleName() + "), got " + Scalars.describe(raw)));
      return null;
    }
    RecordModel model = RecordModel.of(type);
    int n = model.names().length;
    Object[] args = new Object[n];
    boolean[] present = new boolean[n];
    for (Map.Entry<?, ?> e : map.entrySet()) {
      String key = String.valueOf(e.getKey());
      Integer i = model.index().get(key);
      if (i == null) {
        i = model.index().get(FieldNames.camel(key));
      }
      String fieldPath = join(path, key);
      if (i == null) {
        errors.add(new ConfigError(fieldPath, "unknown field '" + key + "' in " + type.getSimpleName()
            + FieldNames.suggestion(key, model.index().keySet())));
        continue;
      }
      if (present[i]) {
        errors.add(new ConfigError(fieldPath, "field '" + model.names()[i] + "' is given twice"));
        continue;
      }
      present[i] = true;
      args[i] = bindValue(e.getValue(), model.genericTypes()[i], fieldPath, errors);
    }
    for (int i = 0; i < n; i++) {
      Class<?> c = model.types()[i];
      String name = model.names()[i];
      if (model.required()[i] && (args[i] == null || isEmpty(args[i])) && !hasErrorUnder(errors, join(path, name))) {
        errors.add(new ConfigError(join(path, name),
            "required field '" + name + "' is missing" + (args[i] == null ? "" : " or empty")));
      }
      if (args[i] == null) {
        args[i] = c == List.class ? List.of() : c == Map.class ? Map.of() : defaultPrimitive(c);
      }
    }
    Oneof oneof = model.oneof();
    if (oneof != null) {
      List<String> set = new ArrayList<>();
      for (String name : oneof.value()) {
        Integer i = model.index().get(name);
        if (i != null && present[i] && args[i] != null) {
          set.add(name);
        }
      }
      if (set.size() > 1) {
        errors.add(new ConfigError(path, "only one of " + String.join(", ", oneof.value())
            + " may be set, found " + String.join(" and ", set)));
      } else if (set.isEmpty() && oneof.required()) {
        errors.add(new ConfigError(path, "one of " + String.join(", ", oneof.value()) + " must be set"));
      }
    }
    try {
      return model.constructor().newInstance(args);
    } catch (InvocationTargetException e) {
      // A record's own constructor refusing a value is one more validation error, not a crash.
      errors.add(new ConfigError(path, String.valueOf(e.getCause().getMessage())));
      return null;
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot build " + type.getName(), e);
    }
  }

  private static boolean hasErrorUnder(List<ConfigError> errors, String path) {
    return errors.stream().anyMatch(e -> e.field().equals(path) || e.field().startsWith(path + ".")
        || e.field().startsWith(path + "["));
  }

  private static boolean isEmpty(Object v) {
    return (v instanceof Collection<?> c && c.isEmpty()) || (v instanceof Map<?, ?> m && m.isEmpty())
        || (v instanceof String s && s.isEmpty());
  }

  private static Object defaultPrimitive(Class<?> c) {
    if (c == int.class) {
      return 0;
    }
    if (c == long.class) {
      return 0L;
    }
    if (c == double.class) {
      return 0d;
    }
    if (c == boolean.class) {
      return false;
    }
    return null;
  }

  private static Class<?> rawClass(Type type) {
    if (type instanceof Class<?> c) {
      return c;
    }
    if (type instanceof ParameterizedType p) {
      return (Class<?>) p.getRawType();
    }
    return Object.class;
  }

  private static Type typeArgument(Type type, int i) {
    if (type instanceof ParameterizedType p) {
      return p.getActualTypeArguments()[i];
    }
    return Object.class;
  }

  private static String join(String path, String key) {
    return path.isEmpty() ? key : path + "." + key;
  }
}
