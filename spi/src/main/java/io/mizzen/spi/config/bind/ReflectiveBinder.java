package io.mizzen.spi.config.bind;

import io.mizzen.spi.ConfigError;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

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
        errors.add(new ConfigError(path, "expected a list, got " + describe(raw)));
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
        errors.add(new ConfigError(path, "expected a map, got " + describe(raw)));
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
    if (raw0 == IntOrString.class) {
      if (raw instanceof Integer i) {
        return new IntOrString(i, null);
      }
      if (raw instanceof String s && !s.isEmpty()) {
        return new IntOrString(null, s);
      }
      errors.add(new ConfigError(path, "expected a number or a name, got " + describe(raw)));
      return null;
    }
    if (raw0.isRecord()) {
      return bindRecord(raw == null ? Map.of() : raw, raw0, path, errors);
    }
    if (raw == null) {
      return null;
    }
    if (raw0 == String.class) {
      if (raw instanceof String s) {
        return s;
      }
      errors.add(new ConfigError(path, "expected a string, got " + describe(raw)));
      return null;
    }
    if (raw0 == Boolean.class || raw0 == boolean.class) {
      if (raw instanceof Boolean b) {
        return b;
      }
      errors.add(new ConfigError(path, "expected true or false, got " + describe(raw)));
      return null;
    }
    if (raw0 == Integer.class || raw0 == int.class) {
      Long l = integral(raw);
      if (l != null && l >= Integer.MIN_VALUE && l <= Integer.MAX_VALUE) {
        return l.intValue();
      }
      errors.add(new ConfigError(path, "expected an integer, got " + describe(raw)));
      return null;
    }
    if (raw0 == Long.class || raw0 == long.class) {
      Long l = integral(raw);
      if (l != null) {
        return l;
      }
      errors.add(new ConfigError(path, "expected an integer, got " + describe(raw)));
      return null;
    }
    if (raw0 == Double.class || raw0 == double.class) {
      if (raw instanceof Number n) {
        return n.doubleValue();
      }
      errors.add(new ConfigError(path, "expected a number, got " + describe(raw)));
      return null;
    }
    if (raw0 == Duration.class) {
      if (raw instanceof String s) {
        var d = IstioDuration.parse(s);
        if (d.isPresent()) {
          return d.get();
        }
      }
      errors.add(new ConfigError(path, "invalid duration " + describe(raw)
          + ": expected a number with a unit h, m, s, ms, us or ns, such as 1s, 0.5s, 100ms or 1h"));
      return null;
    }
    if (raw0.isEnum()) {
      if (raw instanceof String s) {
        for (Object constant : raw0.getEnumConstants()) {
          if (((Enum<?>) constant).name().equals(s)) {
            return constant;
          }
        }
      }
      errors.add(new ConfigError(path, "invalid value " + describe(raw) + ": expected one of "
          + Arrays.stream(raw0.getEnumConstants()).map(String::valueOf).collect(Collectors.joining(", "))));
      return null;
    }
    throw new IllegalStateException("the binder has no rule for " + type + " at " + path);
  }

  private Object bindRecord(Object raw, Class<?> type, String path, List<ConfigError> errors) {
    RecordComponent[] components = type.getRecordComponents();
    Object[] args = new Object[components.length];
    Map<?, ?> map = Map.of();
    if (raw instanceof Map<?, ?> m) {
      map = m;
    } else {
      errors.add(new ConfigError(path, "expected a map (" + type.getSimpleName() + "), got " + describe(raw)));
    }
    Map<String, Integer> index = new LinkedHashMap<>();
    for (int i = 0; i < components.length; i++) {
      index.put(components[i].getName(), i);
    }
    boolean[] present = new boolean[components.length];
    for (Map.Entry<?, ?> e : map.entrySet()) {
      String key = String.valueOf(e.getKey());
      Integer i = index.get(key);
      if (i == null) {
        i = index.get(camel(key));
      }
      String fieldPath = join(path, key);
      if (i == null) {
        errors.add(new ConfigError(fieldPath, "unknown field '" + key + "' in " + type.getSimpleName()
            + suggestion(key, index.keySet())));
        continue;
      }
      if (present[i]) {
        errors.add(new ConfigError(fieldPath, "field '" + components[i].getName() + "' is given twice"));
        continue;
      }
      present[i] = true;
      args[i] = bindValue(e.getValue(), components[i].getGenericType(), fieldPath, errors);
    }
    for (int i = 0; i < components.length; i++) {
      Class<?> c = components[i].getType();
      boolean required = components[i].isAnnotationPresent(Required.class);
      if (required && (args[i] == null || isEmpty(args[i])) && !hasErrorUnder(errors, join(path, components[i].getName()))) {
        errors.add(new ConfigError(join(path, components[i].getName()),
            "required field '" + components[i].getName() + "' is missing" + (args[i] == null ? "" : " or empty")));
      }
      if (args[i] == null) {
        args[i] = c == List.class ? List.of() : c == Map.class ? Map.of() : defaultPrimitive(c);
      }
    }
    Oneof oneof = type.getAnnotation(Oneof.class);
    if (oneof != null) {
      List<String> set = new ArrayList<>();
      for (String name : oneof.value()) {
        Integer i = index.get(name);
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
      Class<?>[] types = Arrays.stream(components).map(RecordComponent::getType).toArray(Class<?>[]::new);
      Constructor<?> ctor = type.getDeclaredConstructor(types);
      ctor.setAccessible(true);
      return ctor.newInstance(args);
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

  private static Long integral(Object raw) {
    if (raw instanceof Integer || raw instanceof Long || raw instanceof Short || raw instanceof Byte) {
      return ((Number) raw).longValue();
    }
    if (raw instanceof java.math.BigInteger b && b.bitLength() < 64) {
      return b.longValue();
    }
    if (raw instanceof Double d && d == Math.rint(d) && Math.abs(d) < 1e15) {
      return d.longValue();
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

  private static String camel(String key) {
    StringBuilder out = new StringBuilder(key.length());
    boolean up = false;
    for (char ch : key.toCharArray()) {
      if (ch == '_') {
        up = true;
      } else {
        out.append(up ? Character.toUpperCase(ch) : ch);
        up = false;
      }
    }
    return out.toString();
  }

  static String describe(Object raw) {
    if (raw == null) {
      return "nothing";
    }
    if (raw instanceof String s) {
      return "'" + s + "'";
    }
    if (raw instanceof Map<?, ?>) {
      return "a map";
    }
    if (raw instanceof List<?>) {
      return "a list";
    }
    if (raw instanceof Boolean b) {
      return "boolean " + b;
    }
    return "number " + raw;
  }

  private static String suggestion(String key, Collection<String> known) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String k : known) {
      int d = distance(key.toLowerCase(), k.toLowerCase());
      if (d < bestDistance) {
        bestDistance = d;
        best = k;
      }
    }
    return best != null && bestDistance <= Math.max(2, key.length() / 3)
        ? " (did you mean '" + best + "'?)"
        : "; known fields: " + String.join(", ", known);
  }

  private static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
