package io.mizzen.plugins.kubernetes;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.mizzen.spi.MeshContext;
import io.mizzen.spi.config.ConfigSink;
import io.mizzen.spi.config.ConfigSource;
import io.mizzen.spi.config.SourceLocation;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.pf4j.Extension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Istio's custom resources from the API server ({@link IstioKind#WATCHED}), read as generic
 * resources by one informer per kind. Each object is its own origin in the store (its API path):
 * an add or update replaces it, a delete removes it. A kind whose CRD is not installed is skipped
 * with a warning (a cluster without Istio's CRDs is fine until ops/kubernetes/crds.yaml is
 * applied; the control plane must then restart to see those kinds). Resync re-delivers unchanged
 * objects, which are not handed over again; after the API server is lost the informers re-watch.
 */
@Extension
public final class KubernetesConfigSource implements ConfigSource {
  private static final Logger LOG = LoggerFactory.getLogger(KubernetesConfigSource.class);

  private KubernetesClient client;
  private final List<SharedIndexInformer<GenericKubernetesResource>> informers = new ArrayList<>();
  /** Origin → resource version last handed to the sink. */
  private final Map<String, String> handedOver = new HashMap<>();
  private volatile boolean stopped;

  @Override
  public String name() {
    return ServiceInstances.SOURCE;
  }

  @Override
  public Future<Void> start(MeshContext mesh, ConfigSink sink) {
    KubeSettings settings;
    try {
      settings = KubeSettings.from(mesh.settings(name()), System.getenv());
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    if (!settings.enabled()) {
      LOG.info("Istio CRDs are not read (not in a cluster and plugins.settings.kubernetes.enabled is not true)");
      return Future.succeededFuture();
    }
    Context context = mesh.vertx().getOrCreateContext();
    return mesh.executeBlocking(() -> KubeClients.create(settings)).compose(c -> {
      client = c;
      List<Future<Void>> kinds = new ArrayList<>();
      for (IstioKind kind : IstioKind.WATCHED) {
        kinds.add(watch(c, kind, settings, context, sink));
      }
      return Future.all(kinds);
    }).map(v -> {
      LOG.info("Istio config from {}: {} kinds watched, {} resources", client.getMasterUrl(), informers.size(), handedOver.size());
      return (Void) null;
    }).onFailure(e -> stop());
  }

  private Future<Void> watch(KubernetesClient c, IstioKind kind, KubeSettings settings, Context context, ConfigSink sink) {
    MixedOperation<GenericKubernetesResource, GenericKubernetesResourceList, Resource<GenericKubernetesResource>> op =
        c.genericKubernetesResources(kind.context());
    SharedIndexInformer<GenericKubernetesResource> informer = settings.namespace() == null
        ? op.inAnyNamespace().runnableInformer(settings.resync().toMillis())
        : op.inNamespace(settings.namespace()).runnableInformer(settings.resync().toMillis());
    InformerSet set = new InformerSet(context);
    set.add(informer, (obj, deleted) -> handOver(kind, obj, deleted, sink));
    return set.start()
        .compose(synced -> {
          informers.add(informer);
          // Hand the synced cache over now, so start() completes after the first full read; the
          // informer's own add events for these objects then find them already handed over.
          List<Future<?>> first = new ArrayList<>();
          for (GenericKubernetesResource obj : informer.getStore().list()) {
            first.add(handOver(kind, obj, false, sink));
          }
          return Future.all(first).<Void>mapEmpty();
        })
        .recover(e -> {
          informer.stop();
          if (notServed(e)) {
            LOG.warn("{} ({}) is not served by the API server (CRD not installed?): not watched", kind.kind(), kind.apiVersion());
            return Future.succeededFuture();
          }
          return Future.failedFuture(new IllegalStateException("cannot watch " + kind.kind() + " (" + kind.apiVersion()
              + ") at " + c.getMasterUrl() + ": " + e.getMessage(), e));
        });
  }

  private static boolean notServed(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof KubernetesClientException k && k.getCode() == 404) {
        return true;
      }
    }
    return false;
  }

  /** Replaces (or, when deleted, empties) the object's origin; on the plugin's context. */
  private Future<List<String>> handOver(IstioKind kind, GenericKubernetesResource obj, boolean deleted, ConfigSink sink) {
    if (stopped) {
      return Future.succeededFuture(List.of());
    }
    ObjectMeta md = obj.getMetadata();
    String origin = kind.path(md.getNamespace(), md.getName());
    String version = md.getResourceVersion() == null ? "" : md.getResourceVersion();
    if (deleted) {
      if (handedOver.remove(origin) == null) {
        return Future.succeededFuture(List.of());
      }
      return log(origin, sink.replaceOrigin(origin, List.of()));
    }
    if (version.equals(handedOver.get(origin))) {
      return Future.succeededFuture(List.of());
    }
    handedOver.put(origin, version);
    return log(origin, sink.replaceOrigin(origin, List.of(toResource(kind, obj, origin))));
  }

  private static Future<List<String>> log(String origin, Future<List<String>> handed) {
    return handed.onSuccess(errors -> {
      if (!errors.isEmpty()) {
        LOG.warn("{} was refused: {}", origin, errors);
      }
    }).onFailure(e -> LOG.error("could not hand {} to the config store: {}", origin, e.toString()));
  }

  @SuppressWarnings("unchecked")
  static io.mizzen.spi.config.Resource toResource(IstioKind kind, GenericKubernetesResource obj, String origin) {
    ObjectMeta md = obj.getMetadata();
    Object spec = obj.getAdditionalProperties().get("spec");
    Map<String, Object> specMap = spec instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    String apiVersion = obj.getApiVersion() == null ? kind.apiVersion() : obj.getApiVersion();
    return new io.mizzen.spi.config.Resource(apiVersion, kind.kind(), md.getName(), md.getNamespace(), md.getLabels(),
        md.getAnnotations(), specMap, SourceLocation.unknown(origin));
  }

  @Override
  public Future<Void> stop() {
    stopped = true;
    informers.forEach(SharedIndexInformer::stop);
    informers.clear();
    if (client != null) {
      client.close();
      client = null;
    }
    return Future.succeededFuture();
  }
}
