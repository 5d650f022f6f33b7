package io.mizzen.it.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * ARCHITECTURE.md's one dependency rule, over the compiled classes of every module: plugins → spi
 * ← proxy, spi ← kernel; kernel and proxy never import each other; plugins and samples see no
 * kernel or proxy class; spi shows no Hazelcast, BouncyCastle, OpenTelemetry SDK or PF4J-manager
 * type. The Maven enforcer bans the matching dependencies in each module's pom as well, so a
 * violation fails `mvn -B verify` twice over: at dependency resolution and here.
 */
class DependencyRuleIT {
  private static JavaClasses production;
  private static JavaClasses fixture;

  @BeforeAll
  static void importClasses() {
    production = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("io.mizzen");
    fixture = new ClassFileImporter().importPackages("io.mizzen.proxy.archfixture");
  }

  static final ArchRule KERNEL_NOT_PROXY = noClasses().that().resideInAPackage("io.mizzen.kernel..")
      .should().dependOnClassesThat().resideInAPackage("io.mizzen.proxy..")
      .because("the kernel hosts the proxy through MeshFunction, never by import");

  static final ArchRule PROXY_NOT_KERNEL = noClasses().that().resideInAPackage("io.mizzen.proxy..")
      .should().dependOnClassesThat().resideInAPackage("io.mizzen.kernel..")
      .because("the proxy sees only spi");

  static final ArchRule PLUGINS_SEE_ONLY_SPI = noClasses()
      .that().resideInAnyPackage("io.mizzen.plugins..", "io.mizzen.samples..")
      .should().dependOnClassesThat().resideInAnyPackage("io.mizzen.kernel..", "io.mizzen.proxy..")
      .because("plugins are built against spi alone");

  static final ArchRule SPI_IS_CLEAN = noClasses().that().resideInAPackage("io.mizzen.spi..")
      .should().dependOnClassesThat().resideInAnyPackage("io.mizzen.kernel..", "io.mizzen.proxy..",
          "com.hazelcast..", "org.bouncycastle..", "io.opentelemetry.sdk..")
      .orShould().dependOnClassesThat().haveFullyQualifiedName("org.pf4j.PluginManager")
      .orShould().dependOnClassesThat().haveFullyQualifiedName("org.pf4j.DefaultPluginManager")
      .because("spi is what third parties compile against");

  @Test
  void productionCodeKeepsTheRule() {
    assertTrue(production.size() > 20, "too few classes imported: " + production.size());
    KERNEL_NOT_PROXY.check(production);
    PROXY_NOT_KERNEL.check(production);
    PLUGINS_SEE_ONLY_SPI.check(production);
    SPI_IS_CLEAN.check(production);
  }

  @Test
  void aDeliberateViolationIsCaught() {
    // The fixture is a proxy-package class that imports the kernel: the rule must report it.
    EvaluationResult result = PROXY_NOT_KERNEL.evaluate(fixture);
    assertTrue(result.hasViolation(), "the rule did not catch the deliberate violation");
    assertTrue(result.getFailureReport().toString().contains("ProxyImportingKernel"));
  }
}
