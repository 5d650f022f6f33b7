package io.mizzen.kernel.mixer.expr;

import io.mizzen.spi.mixer.AttributeBag;
import io.mizzen.spi.mixer.AttributeVocabulary;
import io.mizzen.spi.mixer.ReferencedAttributes;
import io.mizzen.spi.mixer.ValueType;
import java.util.List;
import java.util.Map;

/** Compiles expressions against one attribute vocabulary (one config version). */
public interface ExpressionCompiler {

  /** The vocabulary expressions are checked against. */
  AttributeVocabulary vocabulary();

  /**
   * Parses, type checks and compiles {@code text}.
   *
   * @throws ExpressionException with every error and its position
   */
  CompiledExpression compile(String text);

  /**
   * As {@link #compile(String)}, also requiring the result type to be {@code expected} (a string
   * literal that reads as a duration is accepted for DURATION).
   */
  default CompiledExpression compile(String text, ValueType expected) {
    CompiledExpression e = compile(text);
    if (e.type() != expected) {
      throw new ExpressionException(text, List.of(new ExpressionError(0, "is " + e.type() + ", " + expected + " is needed here")));
    }
    return e;
  }

  /** Parses and type checks only. @return the type @throws ExpressionException as compile does */
  ValueType check(String text);

  static ExpressionCompiler of(AttributeVocabulary vocabulary) {
    return new ExpressionCompiler() {
      @Override
      public AttributeVocabulary vocabulary() {
        return vocabulary;
      }

      @Override
      public ValueType check(String text) {
        Node root = Parser.parse(text);
        return TypeChecker.check(text, root, vocabulary).get(root);
      }

      @Override
      public CompiledExpression compile(String text) {
        Node root = Parser.parse(text);
        Map<Node, ValueType> types = TypeChecker.check(text, root, vocabulary);
        Compiler compiler = new Compiler(text, vocabulary, types);
        Eval eval = compiler.compile(root);
        ReferencedAttributes refs = new ReferencedAttributes(compiler.wholeAttributes(), compiler.mapKeys());
        return new Compiled(text, types.get(root), refs, eval, vocabulary);
      }
    };
  }

  /** The one implementation: a root evaluator plus what the checker learnt. */
  record Compiled(String text, ValueType type, ReferencedAttributes references, Eval root,
                  AttributeVocabulary vocabulary) implements CompiledExpression {
    @Override
    public Object evaluate(AttributeBag bag) {
      Object v = evaluateOrAbsent(bag);
      if (v == null) {
        throw new EvaluationException("'" + text + "' has no value: " + root.label + " is absent");
      }
      return v;
    }

    @Override
    public Object evaluateOrAbsent(AttributeBag bag) {
      if (bag.vocabulary() != vocabulary) {
        throw new IllegalArgumentException("bag uses another attribute vocabulary than '" + text + "' was compiled for; rebase it");
      }
      return root.eval(bag);
    }

    @Override
    public boolean isConstant() {
      return root instanceof Eval.Const;
    }

    @Override
    public String toString() {
      return text + " : " + type;
    }
  }
}
