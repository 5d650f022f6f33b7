package io.mizzen.kernel.mixer.expr;

import io.mizzen.kernel.mixer.expr.Token.Kind;
import io.mizzen.spi.mixer.AttributeBag;
import io.mizzen.spi.mixer.AttributeValues;
import io.mizzen.spi.mixer.AttributeVocabulary;
import io.mizzen.spi.mixer.ValueType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Turns a type-checked AST into {@link Eval} nodes: attributes become array indexes, literal
 * patterns are compiled once, and any subtree made only of constants is evaluated here, once.
 * It also records which attributes (and which constant map keys) the expression reads.
 */
final class Compiler {
  private final String src;
  private final AttributeVocabulary vocabulary;
  private final Map<Node, ValueType> types;
  private final Set<String> whole = new LinkedHashSet<>();
  private final Map<String, Set<String>> keys = new LinkedHashMap<>();
  private final AttributeBag emptyBag;

  Compiler(String src, AttributeVocabulary vocabulary, Map<Node, ValueType> types) {
    this.src = src;
    this.vocabulary = vocabulary;
    this.types = types;
    this.emptyBag = AttributeBag.empty(vocabulary);
  }

  Set<String> wholeAttributes() {
    return whole;
  }

  Map<String, Set<String>> mapKeys() {
    return keys;
  }

  Eval compile(Node n) {
    Eval e;
    if (n instanceof Node.Literal l) {
      e = literal(l);
    } else if (n instanceof Node.Attribute a) {
      whole.add(a.name());
      e = new Eval.Attr(a.name(), vocabulary.indexOf(a.name()));
    } else if (n instanceof Node.Index x) {
      e = index(x);
    } else if (n instanceof Node.Unary u) {
      e = u.op() == Kind.NOT
          ? new Eval.Not(at(u), compile(u.operand()))
          : new Eval.Negate(at(u), compile(u.operand()));
    } else if (n instanceof Node.Binary b) {
      e = binary(b);
    } else {
      e = call((Node.Call) n);
    }
    return fold(n, e);
  }

  private Eval literal(Node.Literal l) {
    if (types.get(l) == ValueType.DURATION) {
      return new Eval.Const(AttributeValues.duration((String) l.value()));
    }
    return new Eval.Const(l.value());
  }

  private Eval index(Node.Index x) {
    if (x.target() instanceof Node.Attribute a && x.key() instanceof Node.Literal k) {
      keys.computeIfAbsent(a.name(), ignored -> new LinkedHashSet<>()).add((String) k.value());
      String label = a.name() + "[\"" + k.value() + "\"]";
      return new Eval.MapGet(label, new Eval.Attr(a.name(), vocabulary.indexOf(a.name())), new Eval.Const(k.value()));
    }
    return new Eval.MapGet("map value at column " + (x.pos() + 1), compile(x.target()), compile(x.key()));
  }

  private Eval binary(Node.Binary b) {
    Eval l = compile(b.left());
    Eval r = compile(b.right());
    String label = "'" + TypeChecker.op(b) + "' at column " + (b.pos() + 1);
    return switch (b.op()) {
      case AND -> new Eval.And(label, l, r);
      case OR -> new Eval.Or(label, l, r);
      case EQ -> new Eval.Equal(label, l, r, false);
      case NE -> new Eval.Equal(label, l, r, true);
      case LT -> new Eval.Compare(label, l, r, true, false, false);
      case LE -> new Eval.Compare(label, l, r, true, true, false);
      case GT -> new Eval.Compare(label, l, r, false, false, true);
      case GE -> new Eval.Compare(label, l, r, false, true, true);
      case PLUS -> new Eval.Arithmetic(label, l, r, false);
      case MINUS -> new Eval.Arithmetic(label, l, r, true);
      case PIPE -> new Eval.Default(label, l, r);
      default -> throw new IllegalStateException("parser produced binary " + b.op());
    };
  }

  private Eval call(Node.Call c) {
    List<Eval> args = new ArrayList<>();
    for (Node a : c.args()) {
      args.add(compile(a));
    }
    String label = c.function() + "() at column " + (c.pos() + 1);
    return switch (c.function()) {
      case "matches" -> args.get(0) instanceof Eval.Const p
          ? new Calls.RegexMatch(label, Pattern.compile((String) p.value), args.get(1))
          : new Calls.StringTest(label, "matches", args.get(0), args.get(1));
      case "match", "startsWith", "endsWith" -> new Calls.StringTest(label, c.function(), args.get(0), args.get(1));
      case "conditional" -> new Calls.Conditional(label, args.get(0), args.get(1), args.get(2));
      case "emptyStringMap" -> new Eval.Const(Map.of());
      default -> new Calls.Convert(label, c.function(), args.get(0));
    };
  }

  /** Evaluates a node whose inputs are all constants, once, at config time. */
  private Eval fold(Node n, Eval e) {
    if (e instanceof Eval.Const || !allConstant(n)) {
      return e;
    }
    try {
      Object v = e.eval(emptyBag);
      return v == null ? e : new Eval.Const(v);
    } catch (EvaluationException | ClassCastException failure) {
      throw new ExpressionException(src, List.of(new ExpressionError(n.pos(), failure.getMessage())));
    }
  }

  private static boolean allConstant(Node n) {
    if (n instanceof Node.Literal) {
      return true;
    } else if (n instanceof Node.Attribute) {
      return false;
    } else if (n instanceof Node.Index x) {
      return allConstant(x.target()) && allConstant(x.key());
    } else if (n instanceof Node.Unary u) {
      return allConstant(u.operand());
    } else if (n instanceof Node.Binary b) {
      return allConstant(b.left()) && allConstant(b.right());
    }
    return ((Node.Call) n).args().stream().allMatch(Compiler::allConstant);
  }

  private static String at(Node n) {
    return "operand at column " + (n.pos() + 1);
  }
}
