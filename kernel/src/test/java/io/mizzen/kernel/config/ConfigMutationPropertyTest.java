package io.mizzen.kernel.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mizzen.kernel.discovery.ServiceEntryEndpoints;
import io.mizzen.kernel.mixer.config.MixerConfigCompiler;
import io.mizzen.kernel.mixer.config.ResourceError;
import io.mizzen.kernel.pilot.WireItems;
import io.mizzen.plugins.denier.DenierAdapter;
import io.mizzen.plugins.listchecker.ListcheckerAdapter;
import io.mizzen.plugins.memquota.MemquotaAdapter;
import io.mizzen.plugins.prometheus.PrometheusAdapter;
import io.mizzen.plugins.stdio.StdioAdapter;
import io.mizzen.spi.config.Resource;
import io.mizzen.spi.config.ResourceKey;
import io.mizzen.spi.config.bind.Bound;
import io.mizzen.spi.config.bind.SpecBinder;
import io.mizzen.spi.discovery.ServiceInstance;
import io.mizzen.spi.mixer.MixerAdapter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.statistics.Statistics;
import org.snakeyaml.engine.v2.api.Dump;
import org.snakeyaml.engine.v2.api.DumpSettings;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.common.FlowStyle;

/**
 * "Bad config of any kind gets a clear error that names what was wrong and where; nothing
 * crashes", checked on the Istio samples with random damage: keys deleted, scalars of the wrong
 * type, unknown fields, duplicated list items, emptied lists and maps, 10k-character and
 * control-character strings, near-miss apiVersions and kinds, out-of-range numbers, malformed
 * durations, percentages, regexes and CIDRs, and files cut short at a random byte.
 *
 * <p>Each damaged file goes the way {@code mizzen validate} and {@code mizzen apply} take it: the
 * loader, the validator, the cross-resource analyzer (as the store runs it), and what the store
 * accepts then goes on to the consumers: Pilot's wire form (encoded, decoded and bound again as a
 * proxy binds it), ServiceEntry discovery, and Mixer's config compiler with the real adapters.
 * The proxy's own compile of a snapshot is out of reach (the kernel must not depend on the proxy
 * module); the strict binding of what Pilot sends stands in for it.
 *
 * <p>Besides "no crash, and every error names the resource, the field and what is wrong", two
 * oracles: a near miss of an Istio kind, and a bad duration, percentage, regex or CIDR planted
 * where a VirtualService, DestinationRule or ServiceEntry takes one, must be refused.
 */
class ConfigMutationPropertyTest {
  private static final ConfigLoader LOADER = ConfigLoader.create();
  private static final ConfigValidator VALIDATOR = ConfigValidator.create();
  private static final SpecBinder BINDER = SpecBinder.strict();
  private static final MixerConfigCompiler MIXER = MixerConfigCompiler.of("istio-system", adapters());
  private static final List<Sample> SAMPLES = samples();
  // A message that is only an exception's name or toString, not words a user can act on.
  private static final Pattern EXCEPTION_TEXT = Pattern.compile(
      "(?s)(?:[a-z_$][\\w$]*\\.)*[A-Z][\\w$]*(?:Exception|Error)(?::.*)?|null|.*\\b(?:java|javax|sun|jdk)\\.[a-z]+\\.[\\w.$]*(?:Exception|Error)\\b.*");

  /** One sample file: its path under istio-samples, its text, and its documents as plain trees. */
  record Sample(String name, String text, List<Object> documents) {
    @Override
    public String toString() {
      return name;
    }
  }

  private static Map<String, MixerAdapter> adapters() {
    Map<String, MixerAdapter> m = new LinkedHashMap<>();
    for (MixerAdapter a : List.of(new DenierAdapter(), new ListcheckerAdapter(), new MemquotaAdapter(),
        new PrometheusAdapter(), new StdioAdapter())) {
      m.put(a.name(), a);
    }
    return m;
  }

  /** Every sample file the existing tests read, except those that hold no resource (Helm templates). */
  private static List<Sample> samples() {
    List<Sample> out = new ArrayList<>();
    Load load = new Load(LoadSettings.builder().build());
    for (Path f : Samples.yamlFiles()) {
      String text;
      try {
        text = Files.readString(f);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      if (LOADER.read(f.toString(), text).resources().isEmpty()) {
        continue;
      }
      List<Object> docs = new ArrayList<>();
      StreamSupport.stream(load.loadAllFromString(text).spliterator(), false).forEach(docs::add);
      out.add(new Sample(Samples.root().relativize(f).toString(), text, docs));
    }
    return out;
  }

  @Provide
  Arbitrary<Sample> sample() {
    // Most sample files are Mixer's or Kubernetes'; the typed kinds (networking, security) have
    // the most rules to break, so they are drawn four times as often.
    return Arbitraries.frequencyOf(SAMPLES.stream()
        .map(s -> net.jqwik.api.Tuple.of(typed(s) ? 4 : 1, Arbitraries.just(s))).toList().toArray(net.jqwik.api.Tuple.Tuple2[]::new));
  }

  private static boolean typed(Sample s) {
    return s.text().contains("networking.istio.io") || s.text().contains("security.istio.io")
        || s.text().contains("authentication.istio.io") || s.text().contains("rbac.istio.io");
  }

  @Example
  void unmutatedSamplesPassEveryStage() {
    assertTrue(SAMPLES.size() > 90, "samples with resources: " + SAMPLES.size());
    int resources = 0;
    for (Sample s : SAMPLES) {
      Outcome o = run(s, s.text(), List.of("unmutated"));
      assertEquals(List.of(), o.errors, s.name());
      resources += o.accepted;
    }
    // Fewer than the 230-odd resources the files hold: each file is analyzed alone here, so a
    // route to a subset or gateway another file defines is (rightly) refused by the analyzer.
    assertTrue(resources > 200, "accepted " + resources);
  }

  @Property(tries = 2000)
  void damagedTreesGetClearErrorsAndNeverCrash(@ForAll("sample") Sample sample, @ForAll long seed,
      @ForAll @IntRange(min = 1, max = 4) int mutations) {
    Random random = new Random(seed);
    List<Object> docs = new ArrayList<>();
    sample.documents().forEach(d -> docs.add(copy(d)));
    List<String> log = new ArrayList<>();
    Set<Integer> mustRefuse = new java.util.TreeSet<>();
    for (int i = 0; i < mutations; i++) {
      log.add(mutate(docs, random));
    }
    for (int i = 0; i < docs.size(); i++) {
      if (docs.get(i) instanceof Map<?, ?> doc && doc.get("kind") instanceof String kind && !ISTIO_KINDS.contains(kind)
          && String.valueOf(doc.get("apiVersion")).matches("(networking|security|authentication|rbac)\\.istio\\.io/.*")) {
        // A near miss of an Istio kind (no Istio kind is a near miss of another).
        mustRefuse.add(i);
      }
    }
    // Last, and once, so that no other mutation removes or overwrites what was planted.
    if (random.nextInt(3) == 0) {
      log.add(plant(docs, random, mustRefuse));
    }
    String text = new Dump(DumpSettings.builder().setDefaultFlowStyle(FlowStyle.BLOCK).build())
        .dumpAllToString(docs.iterator());
    Outcome o = run(sample, text, log);
    for (int doc : mustRefuse) {
      // A value that is wrong wherever it is written must be refused, unless the whole document
      // was passed over (another mutation made it a kind Mizzen does not serve).
      assertTrue(o.errorDocuments.contains(doc) || o.skippedDocuments.contains(doc) || o.wholeFileSkipped,
          "document " + doc + " should have been refused but got no error: " + o.errors + context(log, text));
    }
    Statistics.label("outcome").collect(o.errors.isEmpty() ? "no error" : "refused");
    Statistics.label("mixer refused what validation accepted").collect(!o.mixerRefused.isEmpty());
  }

  @Property(tries = 800)
  void filesCutShortGetClearErrorsAndNeverCrash(@ForAll("sample") Sample sample, @ForAll long seed) throws IOException {
    byte[] bytes = sample.text().getBytes(StandardCharsets.UTF_8);
    int cut = new Random(seed).nextInt(bytes.length + 1);
    // Through a real file, as 'mizzen validate -f' reads it: a cut inside a multi-byte character
    // is then not valid UTF-8 at all.
    Path file = Files.createTempFile("mutated-", ".yaml");
    try {
      byte[] kept = java.util.Arrays.copyOf(bytes, cut);
      Files.write(file, kept);
      List<String> log = List.of("truncated at byte " + cut);
      String shown = new String(kept, StandardCharsets.UTF_8);
      Loaded loaded = stage("loader", log, shown, () -> LOADER.read(file));
      runLoaded(file.toString(), loaded, log, shown);
    } finally {
      Files.delete(file);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // The path a user's config takes.

  /** What one damaged file came to. */
  static final class Outcome {
    final List<String> errors = new ArrayList<>();
    final List<String> mixerRefused = new ArrayList<>();
    final Set<Integer> errorDocuments = new HashSet<>();
    final Set<Integer> skippedDocuments = new HashSet<>();
    boolean wholeFileSkipped;
    int accepted;
  }

  private static Outcome run(Sample sample, String text, List<String> log) {
    String origin = sample.name();
    Loaded loaded = stage("loader", log, text, () -> LOADER.read(origin, text));
    return runLoaded(origin, loaded, log, text);
  }

  private static Outcome runLoaded(String origin, Loaded loaded, List<String> log, String text) {
    Outcome outcome = new Outcome();
    for (ConfigProblem p : loaded.problems()) {
      checkProblem("loader", p, origin, null, log, text);
      if (p.isError()) {
        outcome.errors.add(p.toString());
        outcome.errorDocuments.add(p.documentIndex());
      } else if (p.severity() == ConfigProblem.Severity.NOTE && p.message().contains("Go (Helm) template")) {
        // A string with "{{ ." in it makes the whole file read as a Helm template, passed over.
        outcome.wholeFileSkipped = true;
      } else if (p.severity() == ConfigProblem.Severity.NOTE && p.message().startsWith("skipped")) {
        outcome.skippedDocuments.add(p.documentIndex());
      }
    }
    List<Resource> candidates = new ArrayList<>();
    for (Resource r : loaded.resources()) {
      List<ConfigProblem> found = stage("validator", log, text, () -> VALIDATOR.validate(r));
      for (ConfigProblem p : found) {
        checkProblem("validator", p, origin, r, log, text);
        if (p.isError()) {
          outcome.errors.add(p.toString());
          outcome.errorDocuments.add(p.documentIndex());
        } else if (p.severity() == ConfigProblem.Severity.NOTE) {
          outcome.skippedDocuments.add(p.documentIndex());
        }
      }
      // As the store does: errors refuse, notes pass the resource over.
      if (found.stream().noneMatch(p -> p.isError() || p.severity() == ConfigProblem.Severity.NOTE)) {
        candidates.add(r);
      }
    }
    List<ConfigProblem> analysis = stage("analyzer", log, text,
        () -> MeshAnalyzer.tolerantOfDiscovery().analyze(candidates, List.of(), Set.of()));
    Set<String> refused = new HashSet<>();
    for (ConfigProblem p : analysis) {
      Resource r = candidates.stream().filter(c -> c.key().toString().equals(p.resource())).findFirst().orElse(null);
      assertTrue(r != null || !p.isError(), "analyzer " + p + ": names no resource it was given" + context(log, text));
      checkProblem("analyzer", p, origin, r, log, text);
      if (p.isError()) {
        // Cross-resource errors name other files' resources as missing: normal for one file alone.
        refused.add(p.resource());
      }
    }
    List<Resource> accepted = candidates.stream().filter(r -> !refused.contains(r.key().toString())).toList();
    outcome.accepted = accepted.size();
    downstream(accepted, outcome, log, text);
    return outcome;
  }

  /** What the store accepted must be usable by everything that consumes it. */
  private static void downstream(List<Resource> accepted, Outcome outcome, List<String> log, String text) {
    for (Resource r : accepted) {
      ResourceKinds.Decision d = ResourceKinds.decide(r.apiVersion(), r.kind());
      if (d.treatment() != ResourceKinds.Treatment.TYPED) {
        continue;
      }
      Resource back = stage("pilot wire", log, text,
          () -> WireItems.decodeResource(WireItems.encode(r).getBytes(StandardCharsets.UTF_8)));
      Bound<? extends Record> bound = stage("proxy bind", log, text, () -> BINDER.bind(back.spec(), d.specType(), "spec"));
      if (!bound.errors().isEmpty() || bound.value() == null) {
        throw new AssertionError("accepted " + r.key() + " but the proxy cannot bind what Pilot sends it: "
            + bound.errors() + context(log, text));
      }
      usable(bound.value(), "spec", r, log, text);
    }
    List<ServiceInstance> instances = stage("serviceentry discovery", log, text, () -> ServiceEntryEndpoints.of(accepted));
    for (ServiceInstance i : instances) {
      stage("pilot wire (instance)", log, text,
          () -> WireItems.decodeInstance(WireItems.encode(i).getBytes(StandardCharsets.UTF_8)));
    }
    // Relaxed on purpose: Mixer may refuse what validate accepted, and that is counted in the
    // statistics, not failed. validate checks Mixer kinds for shape only (their params, expressions
    // and references are the Mixer compiler's, as ResourceValidator.MixerChecks says), and one file
    // alone lacks the handlers and instances others define. Its refusals must still be clear errors.
    MixerConfigCompiler.Compilation mixer = stage("mixer compile", log, text, () -> MIXER.compile(accepted, 1));
    Set<ResourceKey> acceptedKeys = accepted.stream().map(Resource::key).collect(Collectors.toSet());
    for (ResourceError e : mixer.errors()) {
      checkMixerError(e, acceptedKeys, log, text);
      outcome.mixerRefused.add(e.toString());
    }
  }

  /**
   * Values a proxy cannot use, whatever the kind: a negative duration (a timer refuses it; Istio
   * durations are never negative) or a number that is not a number.
   */
  private static void usable(Object v, String path, Resource r, List<String> log, String text) {
    if (v instanceof java.time.Duration d) {
      assertTrue(!d.isNegative(), "accepted " + r.key() + " with a negative duration at " + path + ": " + d + context(log, text));
    } else if (v instanceof Double d) {
      assertTrue(Double.isFinite(d), "accepted " + r.key() + " with " + d + " at " + path + context(log, text));
    } else if (v instanceof Record rec) {
      for (java.lang.reflect.RecordComponent c : rec.getClass().getRecordComponents()) {
        try {
          usable(c.getAccessor().invoke(rec), path + "." + c.getName(), r, log, text);
        } catch (ReflectiveOperationException e) {
          throw new IllegalStateException(e);
        }
      }
    } else if (v instanceof List<?> l) {
      for (int i = 0; i < l.size(); i++) {
        usable(l.get(i), path + "[" + i + "]", r, log, text);
      }
    } else if (v instanceof Map<?, ?> m) {
      m.forEach((k, x) -> usable(x, path + "." + k, r, log, text));
    }
  }

  private static void checkMixerError(ResourceError e, Set<ResourceKey> accepted, List<String> log, String text) {
    String what = "mixer error " + e;
    assertTrue(e.resource() != null && accepted.contains(e.resource()), what + ": names no accepted resource" + context(log, text));
    assertTrue(e.field() != null && !e.field().isEmpty(), what + ": no field" + context(log, text));
    assertClearMessage(e.message(), what, log, text);
  }

  private static void checkProblem(String stage, ConfigProblem p, String origin, Resource r, List<String> log, String text) {
    String what = stage + " " + p;
    assertClearMessage(p.message(), what, log, text);
    assertEquals(origin, p.origin(), what + ": names another file" + context(log, text));
    assertTrue(p.documentIndex() >= 0, what + ": document index" + context(log, text));
    if (!p.isError() || r == null) {
      // The loader's refusals of a whole document (not YAML, not a map) have no resource or field
      // to name; they name the file, document and line.
      return;
    }
    assertEquals(r.key().toString(), p.resource(), what + ": names another resource" + context(log, text));
    assertTrue(p.resource().contains(r.kind()) && p.resource().contains(r.name()),
        what + ": resource names no kind and name" + context(log, text));
    assertTrue(!p.field().isEmpty(), what + ": no field path" + context(log, text));
  }

  private static void assertClearMessage(String message, String what, List<String> log, String text) {
    assertTrue(message != null && !message.isBlank(), what + ": empty message" + context(log, text));
    assertTrue(!EXCEPTION_TEXT.matcher(message.strip()).matches(),
        what + ": the message is an exception, not words" + context(log, text));
  }

  /** Runs one stage; anything it throws is a crash. */
  private static <T> T stage(String stage, List<String> log, String text, Supplier<T> run) {
    try {
      return run.get();
    } catch (AssertionError e) {
      throw e;
    } catch (Throwable t) {
      throw new AssertionError(stage + " crashed with " + t + context(log, text), t);
    }
  }

  private static String context(List<String> log, String text) {
    String shown = text.length() > 3000 ? text.substring(0, 3000) + "\n[... " + (text.length() - 3000) + " more]" : text;
    return "\n  mutations: " + log + "\n  document:\n" + shown;
  }

  // ---------------------------------------------------------------------------------------------
  // Damage.

  /** A place in a tree: a map key or a list index of a container. */
  record Slot(Object container, Object key, String path) {
    Object get() {
      return container instanceof Map<?, ?> m ? m.get(key) : ((List<?>) container).get((Integer) key);
    }

    @SuppressWarnings("unchecked")
    void set(Object value) {
      if (container instanceof Map<?, ?> m) {
        ((Map<Object, Object>) m).put(key, value);
      } else {
        ((List<Object>) container).set((Integer) key, value);
      }
    }

    String name() {
      return String.valueOf(key).toLowerCase(Locale.ROOT);
    }
  }

  private static final String[] NEAR_VERSIONS = {
      "networking.istio.io/v1alpha4", "networking.istio.io/v1alpha3 ", "Networking.istio.io/v1alpha3",
      "v1alpha3", "networking.istio.io/", "/v1alpha3", "config.istio.io/v1alpha3", "security.istio.io/v1beta2",
      "networking.istio.io/v1alpha3/x", "networking-istio-io/v1alpha3", "authentication.istio.io/v1", "v1"};
  private static final String[] DURATIONS = {"1x", "-5s", "999999999999h", "5", "1.5.5s", "s", "", "1h1h", "0s",
      "1e3s", "PT5S", "9223372036854775807s", "0.0000000001s", "-0s", "5 s", "1d"};
  private static final String[] REGEXES = {"(", "[a-", "*x", "a{2,1}", "\\", "(?<n>", "a**", "\\p{Nope}", "[z-a]", ")"};
  private static final String[] CIDRS = {"10.0.0.0/33", "300.1.1.1/8", "::1/129", "1.2.3.4/", "abc/8", "10.0.0.1/-1",
      "1.2.3", "fe80::zz", "/8", "1.2.3.4/8/8", "0.0.0.0/0", "::/0"};
  private static final Object[] NUMBERS = {-1, 0, -2147483649L, 2147483648L, Long.MAX_VALUE, Long.MIN_VALUE,
      new BigInteger("99999999999999999999999"), 1e308, -0.5, 0.5, Double.NaN, Double.POSITIVE_INFINITY,
      Double.NEGATIVE_INFINITY, 65536, 4294967296L, -65536};
  private static final Object[] PERCENTS = {101, 100.01, -1, 1e9, 200, -0.0001, Double.NaN, Double.POSITIVE_INFINITY, 1000};
  private static final String[] ODD_STRINGS = {"a\u0000b", "tab\there", "bell\u0007", "ünïcødé-名前", "emoji\uD83D\uDE00",
      "\u202Eevil", "line\nbreak", "   ", "\uFEFFbom", "", "*", ".", "..", "-", "a/b", "%00", "${X}", "{{ .x }}",
      "\r\n", "\u0085nel", "\u2028ls"};

  /** Applies one random mutation somewhere in {@code docs}, and says what it did and where. */
  private static String mutate(List<Object> docs, Random random) {
    List<Slot> slots = new ArrayList<>();
    for (int i = 0; i < docs.size(); i++) {
      slots(docs, i, "doc" + i, slots);
    }
    if (slots.isEmpty()) {
      return "nothing to mutate";
    }
    int kind = random.nextInt(13);
    switch (kind) {
      case 0 -> { // delete a key
        List<Slot> keys = slots.stream().filter(s -> s.container() instanceof Map<?, ?>).toList();
        if (!keys.isEmpty()) {
          Slot s = pick(keys, random);
          ((Map<?, ?>) s.container()).remove(s.key());
          return "delete " + s.path();
        }
        return "delete: no key";
      }
      case 1 -> { // another type
        Slot s = pick(slots, random);
        Object now = s.get();
        Object next;
        do {
          next = anyValue(random);
        } while (category(next) == category(now));
        s.set(next);
        return "retype " + s.path() + " = " + shortly(next);
      }
      case 2 -> { // unknown field
        List<Slot> maps = slots.stream().filter(s -> s.get() instanceof Map<?, ?>).toList();
        if (!maps.isEmpty()) {
          Slot s = pick(maps, random);
          @SuppressWarnings("unchecked")
          Map<Object, Object> m = (Map<Object, Object>) s.get();
          m.put("bogusField" + random.nextInt(100), anyValue(random));
          return "unknown field in " + s.path();
        }
        return "unknown field: no map";
      }
      case 3 -> { // duplicate a list element
        List<Slot> lists = slots.stream().filter(s -> s.get() instanceof List<?> l && !l.isEmpty()).toList();
        if (!lists.isEmpty()) {
          Slot s = pick(lists, random);
          @SuppressWarnings("unchecked")
          List<Object> l = (List<Object>) s.get();
          l.add(copy(l.get(random.nextInt(l.size()))));
          return "duplicate an element of " + s.path();
        }
        return "duplicate: no list";
      }
      case 4 -> { // empty a list or map
        List<Slot> containers = slots.stream().filter(s -> s.get() instanceof List<?> || s.get() instanceof Map<?, ?>).toList();
        if (!containers.isEmpty()) {
          Slot s = pick(containers, random);
          s.set(s.get() instanceof List<?> ? new ArrayList<>() : new LinkedHashMap<>());
          return "empty " + s.path();
        }
        return "empty: nothing";
      }
      case 5 -> { // a very long string
        Slot s = pick(scalars(slots), random);
        String unit = random.nextBoolean() ? "a" : "reviews.";
        s.set(unit.repeat(10_000 / unit.length()));
        return "10k string at " + s.path();
      }
      case 6 -> { // control characters, unicode
        Slot s = pick(scalars(slots), random);
        String v = ODD_STRINGS[random.nextInt(ODD_STRINGS.length)];
        s.set(random.nextBoolean() || !(s.get() instanceof String old) ? v : old + v);
        return "odd string at " + s.path() + " = " + shortly(s.get());
      }
      case 7 -> { // near-miss apiVersion or kind
        List<Slot> top = slots.stream().filter(s -> s.path().matches("doc\\d+\\.(apiVersion|kind)")).toList();
        if (top.isEmpty()) {
          return "near miss: no apiVersion";
        }
        Slot s = pick(top, random);
        String v = String.valueOf(s.get());
        String next = s.key().equals("apiVersion") ? NEAR_VERSIONS[random.nextInt(NEAR_VERSIONS.length)]
            : switch (random.nextInt(5)) {
              case 0 -> v.toLowerCase(Locale.ROOT);
              case 1 -> v + "s";
              case 2 -> v.length() < 2 ? v + "x" : v.substring(0, v.length() - 2) + v.charAt(v.length() - 1) + v.charAt(v.length() - 2);
              case 3 -> v.toUpperCase(Locale.ROOT);
              default -> " " + v;
            };
        s.set(next);
        return "near miss " + s.path() + " = " + next;
      }
      case 8 -> { // numbers out of range
        Slot s = pickNamed(slots, random, n -> true, true);
        Object v = NUMBERS[random.nextInt(NUMBERS.length)];
        s.set(v);
        return "number at " + s.path() + " = " + v;
      }
      case 9 -> { // durations
        Slot s = pickNamed(slots, random, n -> n.contains("timeout") || n.contains("interval") || n.contains("time")
            || n.contains("duration") || n.contains("delay") || n.contains("ttl") || n.contains("expir")
            || n.contains("maxage"), false);
        String v = DURATIONS[random.nextInt(DURATIONS.length)];
        s.set(v);
        return "duration at " + s.path() + " = " + v;
      }
      case 10 -> { // percentages
        Slot s = pickNamed(slots, random, n -> n.contains("percent") || n.equals("value") || n.equals("weight"), true);
        Object v = PERCENTS[random.nextInt(PERCENTS.length)];
        s.set(v);
        return "percentage at " + s.path() + " = " + v;
      }
      case 11 -> { // regexes
        Slot s = pickNamed(slots, random, n -> n.equals("regex") || n.contains("match"), false);
        String v = REGEXES[random.nextInt(REGEXES.length)];
        s.set(v);
        return "regex at " + s.path() + " = " + v;
      }
      default -> { // CIDRs
        Slot s = pickNamed(slots, random, n -> n.contains("ip") || n.contains("address") || n.contains("cidr")
            || n.equals("bind") || n.matches("\\d+"), false);
        String v = CIDRS[random.nextInt(CIDRS.length)];
        s.set(v);
        return "cidr at " + s.path() + " = " + v;
      }
    }
  }

  /** Istio 1.4's kinds in its typed groups, served or not. */
  private static final Set<String> ISTIO_KINDS = Set.of("VirtualService", "DestinationRule", "Gateway", "ServiceEntry",
      "Sidecar", "EnvoyFilter", "WorkloadEntry", "PeerAuthentication", "AuthorizationPolicy", "RequestAuthentication",
      "Policy", "MeshPolicy", "ServiceRole", "ServiceRoleBinding", "ClusterRbacConfig", "RbacConfig");

  // Values wrong wherever Istio takes a value of that sort: planted, they must be refused.
  private static final String[] BAD_DURATIONS = {"1x", "-5s", "999999999999h", "1.5.5s", "s", "", "1e3s", "5 s", "1d",
      "PT5S", "5", "9223372036854775807s", "1h-1m"};
  private static final String[] GOOD_DURATIONS = {"0.5s", "10s", "1h30m", "100ms"};
  private static final Object[] BAD_PERCENTS = {101, 100.01, -1, 1e9, Double.NaN, Double.POSITIVE_INFINITY,
      Double.NEGATIVE_INFINITY, -0.0001};
  private static final Object[] GOOD_PERCENTS = {0, 50, 100};
  private static final String[] BAD_REGEXES = {"(", "[a-", "*x", "a{2,1}", "\\", "(?<n>", "\\p{Nope}", "[z-a]", ")"};
  private static final String[] GOOD_REGEXES = {"^/api/.*", "v[0-9]+"};
  private static final String[] BAD_CIDRS = {"10.0.0.0/33", "300.1.1.1/8", "::1/129", "1.2.3.4/", "abc/8",
      "10.0.0.1/-1", "1.2.3", "fe80::zz", "/8", "1.2.3.4/8/8", ":::", "1.2.3.4.5"};
  private static final String[] GOOD_CIDRS = {"10.0.0.0/8", "192.168.1.1", "::1/128", "0.0.0.0/0"};

  /**
   * Writes a duration, percentage, regex or CIDR where a VirtualService, DestinationRule or
   * ServiceEntry takes one (the samples have few such fields), bad three times in four.
   */
  @SuppressWarnings("unchecked")
  private static String plant(List<Object> docs, Random random, Set<Integer> mustRefuse) {
    List<Integer> typed = new ArrayList<>();
    for (int i = 0; i < docs.size(); i++) {
      if (docs.get(i) instanceof Map<?, ?> m && m.get("spec") instanceof Map<?, ?>
          && Set.of("VirtualService", "DestinationRule", "ServiceEntry").contains(String.valueOf(m.get("kind")))) {
        typed.add(i);
      }
    }
    if (typed.isEmpty()) {
      return "plant: no VirtualService, DestinationRule or ServiceEntry";
    }
    int doc = pick(typed, random);
    Map<Object, Object> root = (Map<Object, Object>) docs.get(doc);
    Map<Object, Object> spec = (Map<Object, Object>) root.get("spec");
    boolean bad = random.nextInt(4) > 0;
    Object dur = bad ? BAD_DURATIONS[random.nextInt(BAD_DURATIONS.length)] : GOOD_DURATIONS[random.nextInt(GOOD_DURATIONS.length)];
    Object pct = bad ? BAD_PERCENTS[random.nextInt(BAD_PERCENTS.length)] : GOOD_PERCENTS[random.nextInt(GOOD_PERCENTS.length)];
    Object re = bad ? BAD_REGEXES[random.nextInt(BAD_REGEXES.length)] : GOOD_REGEXES[random.nextInt(GOOD_REGEXES.length)];
    Object cidr = bad ? BAD_CIDRS[random.nextInt(BAD_CIDRS.length)] : GOOD_CIDRS[random.nextInt(GOOD_CIDRS.length)];
    String what;
    switch (String.valueOf(root.get("kind"))) {
      case "VirtualService" -> {
        if (!(spec.get("http") instanceof List<?> l) || l.isEmpty() || !(l.get(0) instanceof Map<?, ?>)) {
          spec.put("http", new ArrayList<>(List.of(map("route", new ArrayList<>(List.of(map("destination", map("host", "reviews"))))))));
        }
        List<Object> http = (List<Object>) spec.get("http");
        int i = random.nextInt(http.size());
        if (!(http.get(i) instanceof Map<?, ?>)) {
          http.set(i, map("route", new ArrayList<>(List.of(map("destination", map("host", "reviews"))))));
        }
        Map<Object, Object> route = (Map<Object, Object>) http.get(i);
        String at = "spec.http[" + i + "]";
        switch (random.nextInt(8)) {
          case 0 -> {
            route.put("timeout", dur);
            what = at + ".timeout = " + dur;
          }
          case 1 -> {
            route.put("retries", map("attempts", 2, "perTryTimeout", dur));
            what = at + ".retries.perTryTimeout = " + dur;
          }
          case 2 -> {
            route.put("fault", map("delay", map("fixedDelay", dur, "percentage", map("value", 50))));
            what = at + ".fault.delay.fixedDelay = " + dur;
          }
          case 3 -> {
            route.put("fault", map("abort", map("httpStatus", 503, "percentage", map("value", pct))));
            what = at + ".fault.abort.percentage.value = " + pct;
          }
          case 4 -> {
            route.put("fault", map("delay", map("fixedDelay", "5s", "percentage", map("value", pct))));
            what = at + ".fault.delay.percentage.value = " + pct;
          }
          case 5 -> {
            route.put("mirrorPercentage", map("value", pct));
            what = at + ".mirrorPercentage.value = " + pct;
          }
          case 6 -> {
            route.put("match", new ArrayList<>(List.of(map("uri", map("regex", re)))));
            what = at + ".match[0].uri.regex = " + re;
          }
          default -> {
            route.put("match", new ArrayList<>(List.of(map("headers", map("x-user", map("regex", re))))));
            what = at + ".match[0].headers.x-user.regex = " + re;
          }
        }
      }
      case "DestinationRule" -> {
        Map<Object, Object> policy = map();
        spec.put("trafficPolicy", policy);
        switch (random.nextInt(4)) {
          case 0 -> {
            policy.put("outlierDetection", map("interval", dur));
            what = "spec.trafficPolicy.outlierDetection.interval = " + dur;
          }
          case 1 -> {
            policy.put("outlierDetection", map("baseEjectionTime", dur));
            what = "spec.trafficPolicy.outlierDetection.baseEjectionTime = " + dur;
          }
          case 2 -> {
            policy.put("outlierDetection", map("maxEjectionPercent", pct));
            what = "spec.trafficPolicy.outlierDetection.maxEjectionPercent = " + pct;
          }
          default -> {
            policy.put("connectionPool", map("tcp", map("connectTimeout", dur)));
            what = "spec.trafficPolicy.connectionPool.tcp.connectTimeout = " + dur;
          }
        }
      }
      default -> {
        spec.put("addresses", new ArrayList<>(List.of(cidr)));
        what = "spec.addresses[0] = " + cidr;
      }
    }
    if (bad) {
      mustRefuse.add(doc);
    }
    return "plant " + (bad ? "bad " : "good ") + "doc" + doc + "." + what;
  }

  private static Map<Object, Object> map(Object... keysAndValues) {
    Map<Object, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      m.put(keysAndValues[i], keysAndValues[i + 1]);
    }
    return m;
  }

  /** A slot whose key matches, else any scalar slot; {@code numeric} prefers slots holding a number. */
  private static Slot pickNamed(List<Slot> slots, Random random, java.util.function.Predicate<String> name, boolean numeric) {
    List<Slot> scalars = scalars(slots);
    List<Slot> named = scalars.stream().filter(s -> name.test(s.name())
        || (s.container() instanceof List<?> && s.path().toLowerCase(Locale.ROOT).matches(".*(ip|address)[a-z]*\\[\\d+\\]"))).toList();
    if (numeric) {
      List<Slot> numbers = named.stream().filter(s -> s.get() instanceof Number).toList();
      if (numbers.isEmpty()) {
        numbers = scalars.stream().filter(s -> s.get() instanceof Number).toList();
      }
      if (!numbers.isEmpty() && random.nextInt(4) > 0) {
        return pick(numbers, random);
      }
    }
    return pick(named.isEmpty() || random.nextInt(5) == 0 ? scalars : named, random);
  }

  private static List<Slot> scalars(List<Slot> slots) {
    List<Slot> s = slots.stream().filter(x -> !(x.get() instanceof Map<?, ?>) && !(x.get() instanceof List<?>)).toList();
    return s.isEmpty() ? slots : s;
  }

  private static void slots(Object container, Object key, String path, List<Slot> out) {
    Slot self = new Slot(container, key, path);
    if (!path.matches("doc\\d+")) {
      out.add(self);
    }
    Object v = self.get();
    if (v instanceof Map<?, ?> m) {
      for (Object k : new ArrayList<>(m.keySet())) {
        slots(m, k, path + "." + k, out);
      }
    } else if (v instanceof List<?> l) {
      for (int i = 0; i < l.size(); i++) {
        slots(l, i, path + "[" + i + "]", out);
      }
    }
  }

  private static Object anyValue(Random random) {
    return switch (random.nextInt(6)) {
      case 0 -> "text";
      case 1 -> 42;
      case 2 -> true;
      case 3 -> new ArrayList<>(List.of("x"));
      case 4 -> new LinkedHashMap<>(Map.of("k", "v"));
      default -> null;
    };
  }

  private static int category(Object v) {
    if (v instanceof String) {
      return 0;
    } else if (v instanceof Number) {
      return 1;
    } else if (v instanceof Boolean) {
      return 2;
    } else if (v instanceof List<?>) {
      return 3;
    } else if (v instanceof Map<?, ?>) {
      return 4;
    }
    return 5;
  }

  private static <T> T pick(List<T> from, Random random) {
    return from.get(random.nextInt(from.size()));
  }

  private static String shortly(Object v) {
    String s = String.valueOf(v);
    return s.length() > 40 ? s.substring(0, 40) + "…" : s;
  }

  private static Object copy(Object v) {
    if (v instanceof Map<?, ?> m) {
      Map<Object, Object> out = new LinkedHashMap<>();
      m.forEach((k, x) -> out.put(k, copy(x)));
      return out;
    }
    if (v instanceof List<?> l) {
      List<Object> out = new ArrayList<>();
      l.forEach(x -> out.add(copy(x)));
      return out;
    }
    return v;
  }
}
