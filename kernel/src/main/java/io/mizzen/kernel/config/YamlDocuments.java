package io.mizzen.kernel.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.constructor.StandardConstructor;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.schema.CoreSchema;

/**
 * Reads a YAML stream through snakeyaml-engine's node API, so that every document and every field
 * keeps its line, into plain maps, lists and scalars.
 */
final class YamlDocuments {

  /**
   * One document.
   *
   * @param index 0-based position in the stream
   * @param line 1-based line where it starts
   * @param value its content: a map, a list, a scalar, or {@code null} for an empty document
   * @param lines the line of each field path ({@code spec.http[0]})
   */
  record Document(int index, int line, Object value, Map<String, Integer> lines) {}

  /**
   * The documents of a stream: those read before a syntax error, then the error if any.
   *
   * @param documents the documents read
   * @param syntaxError the YAML error, with its line, or {@code null}
   * @param errorLine the 1-based line of the error, 0 when unknown
   * @param errorDocument the index of the document the error is in
   */
  record Stream(List<Document> documents, String syntaxError, int errorLine, int errorDocument) {}

  private final LoadSettings settings = LoadSettings.builder().setSchema(new CoreSchema())
      .setAllowDuplicateKeys(false).setLabel("yaml").build();
  // One per reader: a constructor keeps per-document state, and a reader serves one stream at a time.
  private final StandardConstructor scalars = new StandardConstructor(settings);

  Stream read(String text) {
    List<Document> docs = new ArrayList<>();
    try {
      for (Node node : new Compose(settings).composeAllFromString(text)) {
        Map<String, Integer> lines = new HashMap<>();
        List<String> problems = new ArrayList<>();
        Object value = convert(node, "", lines, problems);
        if (!problems.isEmpty()) {
          return new Stream(docs, problems.get(0), lines.getOrDefault("#duplicate", 0), docs.size());
        }
        docs.add(new Document(docs.size(), line(node), value, lines));
      }
      return new Stream(docs, null, 0, 0);
    } catch (MarkedYamlEngineException e) {
      int line = e.getProblemMark().or(e::getContextMark).map(m -> m.getLine() + 1).orElse(0);
      String what = (e.getContext() == null ? "" : e.getContext() + ": ") + e.getProblem();
      return new Stream(docs, "YAML syntax error at line " + line + ": " + what, line, docs.size());
    } catch (YamlEngineException e) {
      return new Stream(docs, "YAML error: " + e.getMessage(), 0, docs.size());
    }
  }

  private Object convert(Node node, String path, Map<String, Integer> lines, List<String> problems) {
    if (node instanceof MappingNode map) {
      Map<String, Object> out = new LinkedHashMap<>();
      for (NodeTuple t : map.getValue()) {
        Object key = convert(t.getKeyNode(), path, new HashMap<>(), problems);
        String k = String.valueOf(key);
        String child = path.isEmpty() ? k : path + "." + k;
        if (out.containsKey(k)) {
          lines.put("#duplicate", line(t.getKeyNode()));
          problems.add("YAML error at line " + line(t.getKeyNode()) + ": duplicate key '" + child + "'");
          continue;
        }
        lines.put(child, line(t.getKeyNode()));
        out.put(k, convert(t.getValueNode(), child, lines, problems));
      }
      // Specs travel in immutable snapshots: nobody downstream may change what was read.
      return java.util.Collections.unmodifiableMap(out);
    }
    if (node instanceof SequenceNode seq) {
      List<Object> out = new ArrayList<>(seq.getValue().size());
      for (Node item : seq.getValue()) {
        String child = path + "[" + out.size() + "]";
        lines.put(child, line(item));
        out.add(convert(item, child, lines, problems));
      }
      return java.util.Collections.unmodifiableList(out);
    }
    Object scalar = scalars.constructSingleDocument(Optional.of((ScalarNode) node));
    if (scalar instanceof Long l && l >= Integer.MIN_VALUE && l <= Integer.MAX_VALUE) {
      return l.intValue();
    }
    if (scalar instanceof java.math.BigInteger b && b.bitLength() < 32) {
      return b.intValue();
    }
    if (scalar instanceof java.math.BigInteger b && b.bitLength() < 64) {
      return b.longValue();
    }
    return scalar;
  }

  private static int line(Node node) {
    return node.getStartMark().map(m -> m.getLine() + 1).orElse(0);
  }
}
