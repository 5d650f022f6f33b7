package io.mizzen.plugins.kubernetes;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.mizzen.spi.MeshContext;
import io.mizzen.spi.discovery.RegistrySink;
import io.mizzen.spi.discovery.ServiceInstance;
import io.mizzen.spi.discovery.ServiceRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.util.List;
import org.pf4j.Extension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kubernetes discovery: Services, EndpointSlices ({@code discovery.k8s.io/v1}) and Pods, watched
 * by informers, joined into service instances and reported whole to the sink after every change
 * (changes arriving together are reported once). Resync re-delivers the caches every
 * {@code resync}; after the API server is lost, the informers re-watch (re-listing when their
 * resource version is gone) and the next report reflects whatever changed meanwhile.
 */
@Extension
public final class KubernetesRegistry implements ServiceRegistry {
  private static final Logger LOG = LoggerFactory.getLogger(KubernetesRegistry.class);

  private KubernetesClient client;
  private InformerSet informers;
  private SharedIndexInformer<Service> services;
  private SharedIndexInformer<EndpointSlice> slices;
  private SharedIndexInformer<Pod> pods;
  private boolean reportPending;
  /** Events before every informer synced are not reported: the caches are still filling. */
  private boolean synced;
  /** What the sink last heard; {@code null} before the first report. */
  private List<ServiceInstance> lastReport;

  @Override
  public String name() {
    return ServiceInstances.SOURCE;
  }

  @Override
  public Future<Void> start(MeshContext mesh, RegistrySink sink) {
    KubeSettings settings;
    try {
      settings = KubeSettings.from(mesh.settings(name()), System.getenv());
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    if (!settings.enabled()) {
      LOG.info("Kubernetes discovery is off (not in a cluster and plugins.settings.kubernetes.enabled is not true)");
      sink.replaceAll(List.of());
      return Future.succeededFuture();
    }
    Context context = mesh.vertx().getOrCreateContext();
    return mesh.executeBlocking(() -> KubeClients.create(settings)).compose(c -> {
      client = c;
      informers = new InformerSet(context);
      long resync = settings.resync().toMillis();
      boolean all = settings.namespace() == null;
      SharedIndexInformer<Service> services = informers.add(all ? c.services().inAnyNamespace().runnableInformer(resync)
          : c.services().inNamespace(settings.namespace()).runnableInformer(resync), () -> scheduleReport(context, sink, settings));
      SharedIndexInformer<EndpointSlice> slices = informers.add(all
          ? c.discovery().v1().endpointSlices().inAnyNamespace().runnableInformer(resync)
          : c.discovery().v1().endpointSlices().inNamespace(settings.namespace()).runnableInformer(resync),
          () -> scheduleReport(context, sink, settings));
      SharedIndexInformer<Pod> pods = informers.add(all ? c.pods().inAnyNamespace().runnableInformer(resync)
          : c.pods().inNamespace(settings.namespace()).runnableInformer(resync), () -> scheduleReport(context, sink, settings));
      this.services = services;
      this.slices = slices;
      this.pods = pods;
      String url = c.getMasterUrl().toString();
      return informers.start().recover(e -> Future.failedFuture(new IllegalStateException(
          "cannot list Services, EndpointSlices and Pods from the API server at " + url + ": " + e, e)));
    }).map(v -> {
      synced = true;
      report(sink, settings);
      LOG.info("Kubernetes discovery watching {} at {}: {} service instances", settings.namespace() == null
          ? "all namespaces" : "namespace " + settings.namespace(), client.getMasterUrl(), lastReport.size());
      return (Void) null;
    }).onFailure(e -> closeQuietly());
  }

  /** Coalesces a burst of events (a resync delivers every object) into one report. */
  private void scheduleReport(Context context, RegistrySink sink, KubeSettings settings) {
    if (reportPending || !synced || informers == null) {
      return;
    }
    reportPending = true;
    context.runOnContext(v -> {
      reportPending = false;
      if (informers != null) {
        report(sink, settings);
      }
    });
  }

  private void report(RegistrySink sink, KubeSettings settings) {
    List<ServiceInstance> now = ServiceInstances.of(services.getStore().list(), slices.getStore().list(),
        pods.getStore().list(), settings.clusterDomain());
    // A resync re-delivers everything unchanged; the sink hears only real changes.
    if (lastReport == null || !now.equals(lastReport)) {
      lastReport = now;
      sink.replaceAll(now);
    }
  }

  @Override
  public Future<Void> stop() {
    closeQuietly();
    return Future.succeededFuture();
  }

  private void closeQuietly() {
    InformerSet i = informers;
    informers = null;
    if (i != null) {
      i.stop();
    }
    if (client != null) {
      client.close();
      client = null;
    }
  }
}
