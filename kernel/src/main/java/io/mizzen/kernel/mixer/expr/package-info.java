/**
 * Mixer's expression language, as Istio's config writes it ({@code match:} of rules, fields of
 * instances): {@link io.mizzen.kernel.mixer.expr.Lexer} → {@link io.mizzen.kernel.mixer.expr.Parser}
 * (an AST keeping positions) → {@link io.mizzen.kernel.mixer.expr.TypeChecker} (against the
 * attribute vocabulary, errors with their column at config time) → {@link
 * io.mizzen.kernel.mixer.expr.Compiler} (a tree of small evaluator objects, built once per config
 * version; evaluation does no reflection and no name lookups). The entry point is {@link
 * io.mizzen.kernel.mixer.expr.ExpressionCompiler}.
 */
package io.mizzen.kernel.mixer.expr;
