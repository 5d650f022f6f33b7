package io.mizzen.kernel.mixer.expr;

import io.mizzen.kernel.mixer.expr.Token.Kind;
import io.mizzen.spi.mixer.AttributeValues;
import io.mizzen.spi.mixer.AttributeVocabulary;
import io.mizzen.spi.mixer.ValueType;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Gives every node a {@link ValueType} against the attribute vocabulary, collecting every error
 * with its position. A string literal that reads as a Go duration takes the DURATION type where
 * the other side is a DURATION, as Istio's checker allows ({@code response.duration | "0ms"}).
 * Literal arguments of {@code ip}, {@code timestamp}, {@code email}, {@code dnsName}, {@code uri}
 * and {@code matches} are validated here, so a bad one fails at config time.
 */
final class TypeChecker {
  private static final Set<ValueType> ORDERED = EnumSet.of(ValueType.INT64, ValueType.DOUBLE,
      ValueType.TIMESTAMP, ValueType.DURATION, ValueType.STRING);
  private static final Set<ValueType> ADDABLE = EnumSet.of(ValueType.INT64, ValueType.DOUBLE,
      ValueType.DURATION, ValueType.STRING);
  private static final Set<ValueType> SUBTRACTABLE = EnumSet.of(ValueType.INT64, ValueType.DOUBLE, ValueType.DURATION);

  private final String src;
  private final AttributeVocabulary vocabulary;
  private final Map<Node, ValueType> types = new IdentityHashMap<>();
  private final List<ExpressionError> errors = new ArrayList<>();

  private TypeChecker(String src, AttributeVocabulary vocabulary) {
    this.src = src;
    this.vocabulary = vocabulary;
  }

  /**
   * The type of every node of {@code root}.
   *
   * @throws ExpressionException with every error found
   */
  static Map<Node, ValueType> check(String src, Node root, AttributeVocabulary vocabulary) {
    TypeChecker c = new TypeChecker(src, vocabulary);
    c.type(root);
    if (!c.errors.isEmpty()) {
      throw new ExpressionException(src, c.errors);
    }
    return c.types;
  }

  /** The node's type, or null when an error was reported for it (callers then stay quiet). */
  private ValueType type(Node n) {
    ValueType t;
    if (n instanceof Node.Literal l) {
      t = literalType(l.value());
    } else if (n instanceof Node.Attribute a) {
      t = attribute(a);
    } else if (n instanceof Node.Index x) {
      t = index(x);
    } else if (n instanceof Node.Unary u) {
      t = unary(u);
    } else if (n instanceof Node.Binary b) {
      t = binary(b);
    } else {
      t = call((Node.Call) n);
    }
    if (t != null) {
      types.put(n, t);
    }
    return t;
  }

  private static ValueType literalType(Object v) {
    if (v instanceof String) {
      return ValueType.STRING;
    } else if (v instanceof Long) {
      return ValueType.INT64;
    } else if (v instanceof Double) {
      return ValueType.DOUBLE;
    }
    return ValueType.BOOL;
  }

  private ValueType attribute(Node.Attribute a) {
    ValueType t = vocabulary.typeOf(a.name());
    if (t == null) {
      error(a.pos(), "unknown attribute '" + a.name() + "' (not in any attribute manifest)");
    }
    return t;
  }

  private ValueType index(Node.Index x) {
    ValueType target = type(x.target());
    ValueType key = type(x.key());
    if (target != null && target != ValueType.STRING_MAP) {
      error(x.pos(), "'[]' needs a STRING_MAP, not " + target);
      return null;
    }
    if (key != null && key != ValueType.STRING) {
      error(x.key().pos(), "map keys are STRING, not " + key);
      return null;
    }
    return target == null || key == null ? null : ValueType.STRING;
  }

  private ValueType unary(Node.Unary u) {
    ValueType t = type(u.operand());
    if (t == null) {
      return null;
    }
    if (u.op() == Kind.NOT) {
      return expect(u.operand(), t, ValueType.BOOL, "'!'") ? ValueType.BOOL : null;
    }
    if (!SUBTRACTABLE.contains(t)) {
      error(u.pos(), "unary '-' needs INT64, DOUBLE or DURATION, not " + t);
      return null;
    }
    return t;
  }

  private ValueType binary(Node.Binary b) {
    ValueType l = type(b.left());
    ValueType r = type(b.right());
    if (l == null || r == null) {
      return null;
    }
    switch (b.op()) {
      case AND, OR -> {
        boolean ok = expect(b.left(), l, ValueType.BOOL, "'" + op(b) + "'");
        ok &= expect(b.right(), r, ValueType.BOOL, "'" + op(b) + "'");
        return ok ? ValueType.BOOL : null;
      }
      case EQ, NE -> {
        return same(b, l, r) != null ? ValueType.BOOL : null;
      }
      case LT, LE, GT, GE -> {
        ValueType t = same(b, l, r);
        if (t != null && !ORDERED.contains(t)) {
          error(b.pos(), "'" + op(b) + "' does not order " + t + " values");
          return null;
        }
        return t == null ? null : ValueType.BOOL;
      }
      case PLUS -> {
        if (l == ValueType.TIMESTAMP && unify(b.right(), r, ValueType.DURATION)) {
          return ValueType.TIMESTAMP;
        }
        ValueType t = same(b, l, r);
        if (t != null && !ADDABLE.contains(t)) {
          error(b.pos(), "'+' does not add " + t + " values");
          return null;
        }
        return t;
      }
      case MINUS -> {
        ValueType t = same(b, l, r);
        if (t != null && !SUBTRACTABLE.contains(t)) {
          error(b.pos(), "'-' does not subtract " + t + " values");
          return null;
        }
        return t;
      }
      case PIPE -> {
        return same(b, l, r);
      }
      default -> throw new IllegalStateException("parser produced binary " + b.op());
    }
  }

  private ValueType call(Node.Call c) {
    List<Node> args = c.args();
    List<ValueType> ts = new ArrayList<>();
    for (Node a : args) {
      ts.add(type(a));
    }
    if (ts.contains(null)) {
      return null;
    }
    String f = c.function();
    switch (f) {
      case "match", "startsWith", "endsWith", "matches" -> {
        if (!arity(c, 2) || !expect(args.get(0), ts.get(0), ValueType.STRING, f) || !expect(args.get(1), ts.get(1), ValueType.STRING, f)) {
          return null;
        }
        if (f.equals("matches") && args.get(0) instanceof Node.Literal l) {
          try {
            java.util.regex.Pattern.compile((String) l.value());
          } catch (java.util.regex.PatternSyntaxException e) {
            error(l.pos(), "invalid regular expression: " + e.getDescription());
            return null;
          }
        }
        return ValueType.BOOL;
      }
      case "ip", "timestamp", "email", "dnsName", "uri" -> {
        if (!arity(c, 1) || !expect(args.get(0), ts.get(0), ValueType.STRING, f)) {
          return null;
        }
        if (args.get(0) instanceof Node.Literal l) {
          try {
            Functions.convert(f, (String) l.value());
          } catch (IllegalArgumentException e) {
            error(l.pos(), e.getMessage());
            return null;
          }
        }
        return Functions.resultOf(f);
      }
      case "toLower" -> {
        return arity(c, 1) && expect(args.get(0), ts.get(0), ValueType.STRING, f) ? ValueType.STRING : null;
      }
      case "size" -> {
        if (!arity(c, 1)) {
          return null;
        }
        if (ts.get(0) != ValueType.STRING && ts.get(0) != ValueType.STRING_MAP) {
          error(args.get(0).pos(), "size needs a STRING or a STRING_MAP, not " + ts.get(0));
          return null;
        }
        return ValueType.INT64;
      }
      case "emptyStringMap" -> {
        return arity(c, 0) ? ValueType.STRING_MAP : null;
      }
      case "conditional" -> {
        if (!arity(c, 3) || !expect(args.get(0), ts.get(0), ValueType.BOOL, f)) {
          return null;
        }
        return sameArgs(c.pos(), args.get(1), ts.get(1), args.get(2), ts.get(2), "conditional's branches");
      }
      default -> {
        error(c.pos(), "unknown function '" + f + "' (known: match, matches, startsWith, endsWith, ip, timestamp, "
            + "email, dnsName, uri, conditional, toLower, size, emptyStringMap)");
        return null;
      }
    }
  }

  private ValueType same(Node.Binary b, ValueType l, ValueType r) {
    return sameArgs(b.pos(), b.left(), l, b.right(), r, "'" + op(b) + "'");
  }

  private ValueType sameArgs(int pos, Node ln, ValueType l, Node rn, ValueType r, String what) {
    if (l == r) {
      return l;
    }
    if (unify(rn, r, l)) {
      return l;
    }
    if (unify(ln, l, r)) {
      return r;
    }
    error(pos, what + " needs operands of one type, got " + l + " and " + r);
    return null;
  }

  /** Lets a string literal that reads as a duration stand for a DURATION. */
  private boolean unify(Node n, ValueType actual, ValueType wanted) {
    if (actual == wanted) {
      return true;
    }
    if (wanted == ValueType.DURATION && n instanceof Node.Literal l && l.value() instanceof String s
        && AttributeValues.isDuration(s)) {
      types.put(n, ValueType.DURATION);
      return true;
    }
    return false;
  }

  private boolean arity(Node.Call c, int n) {
    if (c.args().size() != n) {
      error(c.pos(), c.function() + " takes " + n + " argument" + (n == 1 ? "" : "s") + ", got " + c.args().size());
      return false;
    }
    return true;
  }

  private boolean expect(Node n, ValueType actual, ValueType wanted, String where) {
    if (unify(n, actual, wanted)) {
      return true;
    }
    error(n.pos(), where + " needs " + wanted + ", not " + actual);
    return false;
  }

  static String op(Node.Binary b) {
    return switch (b.op()) {
      case AND -> "&&";
      case OR -> "||";
      case EQ -> "==";
      case NE -> "!=";
      case LT -> "<";
      case LE -> "<=";
      case GT -> ">";
      case GE -> ">=";
      case PLUS -> "+";
      case MINUS -> "-";
      case PIPE -> "|";
      default -> b.op().name();
    };
  }

  private void error(int pos, String message) {
    errors.add(new ExpressionError(pos, message));
  }
}
