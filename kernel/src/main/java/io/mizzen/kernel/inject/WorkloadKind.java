package io.mizzen.kernel.inject;

import java.util.List;
import java.util.Optional;

/** The Kubernetes kinds that carry a pod template, and where in the object that template lives. */
enum WorkloadKind {
  POD("Pod", List.of(), false),
  DEPLOYMENT("Deployment", List.of("spec", "template"), false),
  STATEFUL_SET("StatefulSet", List.of("spec", "template"), false),
  DAEMON_SET("DaemonSet", List.of("spec", "template"), false),
  REPLICA_SET("ReplicaSet", List.of("spec", "template"), false),
  REPLICATION_CONTROLLER("ReplicationController", List.of("spec", "template"), false),
  JOB("Job", List.of("spec", "template"), true),
  CRON_JOB("CronJob", List.of("spec", "jobTemplate", "spec", "template"), true);

  private final String kind;
  private final List<String> templatePath;
  private final boolean runsToCompletion;

  WorkloadKind(String kind, List<String> templatePath, boolean runsToCompletion) {
    this.kind = kind;
    this.templatePath = templatePath;
    this.runsToCompletion = runsToCompletion;
  }

  String kind() {
    return kind;
  }

  /** Keys from the object's root to its pod template (empty: the object is the pod). */
  List<String> templatePath() {
    return templatePath;
  }

  /** Whether its pods end when the app ends, so the sidecar must end too. */
  boolean runsToCompletion() {
    return runsToCompletion;
  }

  static Optional<WorkloadKind> of(Object kind) {
    for (WorkloadKind k : values()) {
      if (k.kind.equals(kind)) {
        return Optional.of(k);
      }
    }
    return Optional.empty();
  }
}
