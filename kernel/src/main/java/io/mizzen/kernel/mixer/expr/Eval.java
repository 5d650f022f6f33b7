package io.mizzen.kernel.mixer.expr;

import io.mizzen.spi.mixer.AttributeBag;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

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
}
