package io.mizzen.kernel.mixer.expr;

import io.mizzen.spi.mixer.AttributeBag;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A compiled expression node. {@link #eval} returns {@code null} for "absent" (a missing
 * attribute or map key), which only {@code |} absorbs; every other operator turns it into an
 * {@link EvaluationException} naming what was absent.
 */
abstract class Eval {
  /** Names this node in errors: an attribute, {@code map["key"]}, or a column. */
  final String label;

  Eval(String label) {
    this.label = label;
  }

  abstract Object eval(AttributeBag bag);

  final Object need(AttributeBag bag) {
    Object v = eval(bag);
    if (v == null) {
      throw new EvaluationException(label + " is absent");
    }
    return v;
  }

  final boolean bool(AttributeBag bag) {
    return (Boolean) need(bag);
  }

  static final class Const extends Eval {
    final Object value;

    Const(Object value) {
      super(String.valueOf(value));
      this.value = value;
    }

    @Override
    Object eval(AttributeBag bag) {
      return value;
    }
  }

  static final class Attr extends Eval {
    private final int index;

    Attr(String name, int index) {
      super("attribute " + name);
      this.index = index;
    }

    @Override
    Object eval(AttributeBag bag) {
      return bag.get(index);
    }
  }

  static final class MapGet extends Eval {
    private final Eval map;
    private final Eval key;

    MapGet(String label, Eval map, Eval key) {
      super(label);
      this.map = map;
      this.key = key;
    }

    @Override
    Object eval(AttributeBag bag) {
      Object m = map.eval(bag);
      if (m == null) {
        return null;
      }
      return ((Map<?, ?>) m).get(key.need(bag));
    }
  }

  static final class Default extends Eval {
    private final Eval first;
    private final Eval fallback;

    Default(String label, Eval first, Eval fallback) {
      super(label);
      this.first = first;
      this.fallback = fallback;
    }

    @Override
    Object eval(AttributeBag bag) {
      Object v = first.eval(bag);
      return v != null ? v : fallback.eval(bag);
    }
  }

  static final class And extends Eval {
    private final Eval l;
    private final Eval r;

    And(String label, Eval l, Eval r) {
      super(label);
      this.l = l;
      this.r = r;
    }

    @Override
    Object eval(AttributeBag bag) {
      return l.bool(bag) && r.bool(bag);
    }
  }

  static final class Or extends Eval {
    private final Eval l;
    private final Eval r;

    Or(String label, Eval l, Eval r) {
      super(label);
      this.l = l;
      this.r = r;
    }

    @Override
    Object eval(AttributeBag bag) {
      return l.bool(bag) || r.bool(bag);
    }
  }

  static final class Not extends Eval {
    private final Eval x;

    Not(String label, Eval x) {
      super(label);
      this.x = x;
    }

    @Override
    Object eval(AttributeBag bag) {
      return !x.bool(bag);
    }
  }

  static final class Equal extends Eval {
    private final Eval l;
    private final Eval r;
    private final boolean negate;

    Equal(String label, Eval l, Eval r, boolean negate) {
      super(label);
      this.l = l;
      this.r = r;
      this.negate = negate;
    }

    @Override
    Object eval(AttributeBag bag) {
      return l.need(bag).equals(r.need(bag)) != negate;
    }
  }

  /** {@code < <= > >=}: {@code wanted} holds the signs of compareTo that make it true. */
  static final class Compare extends Eval {
    private final Eval l;
    private final Eval r;
    private final boolean less;
    private final boolean equal;
    private final boolean greater;

    Compare(String label, Eval l, Eval r, boolean less, boolean equal, boolean greater) {
      super(label);
      this.l = l;
      this.r = r;
      this.less = less;
      this.equal = equal;
      this.greater = greater;
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    Object eval(AttributeBag bag) {
      int c = ((Comparable) l.need(bag)).compareTo(r.need(bag));
      return c < 0 ? less : c == 0 ? equal : greater;
    }
  }

  static final class Arithmetic extends Eval {
    private final Eval l;
    private final Eval r;
    private final boolean minus;

    Arithmetic(String label, Eval l, Eval r, boolean minus) {
      super(label);
      this.l = l;
      this.r = r;
      this.minus = minus;
    }

    @Override
    Object eval(AttributeBag bag) {
      Object a = l.need(bag);
      Object b = r.need(bag);
      if (a instanceof Long x) {
        return minus ? x - (Long) b : x + (Long) b;
      } else if (a instanceof Double x) {
        return minus ? x - (Double) b : x + (Double) b;
      } else if (a instanceof Duration x) {
        return minus ? x.minus((Duration) b) : x.plus((Duration) b);
      } else if (a instanceof Instant x) {
        return x.plus((Duration) b);
      }
      return (String) a + b;
    }
  }

  static final class Negate extends Eval {
    private final Eval x;

    Negate(String label, Eval x) {
      super(label);
      this.x = x;
    }

    @Override
    Object eval(AttributeBag bag) {
      Object v = x.need(bag);
      if (v instanceof Long n) {
        return -n;
      } else if (v instanceof Double d) {
        return -d;
      }
      return ((Duration) v).negated();
    }
  }

  static final class Conditional extends Eval {
    private final Eval test;
    private final Eval then;
    private final Eval otherwise;

    Conditional(String label, Eval test, Eval then, Eval otherwise) {
      super(label);
      this.test = test;
      this.then = then;
      this.otherwise = otherwise;
    }

    @Override
    Object eval(AttributeBag bag) {
      return test.bool(bag) ? then.eval(bag) : otherwise.eval(bag);
    }
  }

  /** Two-string predicates: match, startsWith, endsWith, and matches with a varying pattern. */
  static final class StringTest extends Eval {
    private final String function;
    private final Eval a;
    private final Eval b;

    StringTest(String label, String function, Eval a, Eval b) {
      super(label);
      this.function = function;
      this.a = a;
      this.b = b;
    }

    @Override
    Object eval(AttributeBag bag) {
      String x = (String) a.need(bag);
      String y = (String) b.need(bag);
      return switch (function) {
        case "match" -> Functions.glob(x, y);
        case "startsWith" -> x.startsWith(y);
        case "endsWith" -> x.endsWith(y);
        default -> {
          try {
            yield Pattern.compile(x).matcher(y).find();
          } catch (java.util.regex.PatternSyntaxException e) {
            throw new EvaluationException("invalid regular expression '" + x + "': " + e.getDescription());
          }
        }
      };
    }
  }

  /** {@code matches} with a literal pattern, compiled once. */
  static final class RegexMatch extends Eval {
    private final Pattern pattern;
    private final Eval value;

    RegexMatch(String label, Pattern pattern, Eval value) {
      super(label);
      this.pattern = pattern;
      this.value = value;
    }

    @Override
    Object eval(AttributeBag bag) {
      return pattern.matcher((String) value.need(bag)).find();
    }
  }

  /** ip, timestamp, email, dnsName, uri, toLower, size over a varying argument. */
  static final class Convert extends Eval {
    private final String function;
    private final Eval x;

    Convert(String label, String function, Eval x) {
      super(label);
      this.function = function;
      this.x = x;
    }

    @Override
    Object eval(AttributeBag bag) {
      Object v = x.need(bag);
      switch (function) {
        case "toLower":
          return ((String) v).toLowerCase(java.util.Locale.ROOT);
        case "size":
          return v instanceof String s ? (long) s.length() : (long) ((Map<?, ?>) v).size();
        default:
          try {
            return Functions.convert(function, (String) v);
          } catch (IllegalArgumentException e) {
            throw new EvaluationException(function + "(): " + e.getMessage());
          }
      }
    }
  }
}
