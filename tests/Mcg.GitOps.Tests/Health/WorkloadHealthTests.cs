using Mcg.GitOps.Health;
using static Mcg.GitOps.Tests.Health.HealthTestSupport;

namespace Mcg.GitOps.Tests.Health;

public class WorkloadHealthTests
{
    private static string Deployment(string spec, string status, long generation = 2) => $"""
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: guestbook-ui
          namespace: default
          generation: {generation}
        spec:
          {spec}
          selector:
            matchLabels:
              app: guestbook-ui
        status:
          observedGeneration: 2
          {status}
        """;

    [Fact]
    public void Deployment_fully_rolled_out_is_healthy()
    {
        AssertHealth(HealthStatusCode.Healthy, "", Deployment("replicas: 2", """
            replicas: 2
              updatedReplicas: 2
              readyReplicas: 2
              availableReplicas: 2
              conditions:
              - type: Available
                status: "True"
                reason: MinimumReplicasAvailable
              - type: Progressing
                status: "True"
                reason: NewReplicaSetAvailable
            """));
    }

    [Fact]
    public void Paused_deployment_is_suspended()
    {
        AssertHealth(HealthStatusCode.Suspended, "Deployment is paused", Deployment("""
            paused: true
              replicas: 2
            """, "replicas: 2"));
    }

    [Fact]
    public void Deployment_whose_generation_is_not_observed_yet_is_progressing()
    {
        AssertHealth(HealthStatusCode.Progressing,
            "Waiting for rollout to finish: observed deployment generation less than desired generation",
            Deployment("replicas: 2", "replicas: 2", generation: 3));
    }

    [Fact]
    public void Deployment_with_replicas_not_yet_updated_is_progressing()
    {
        AssertHealth(HealthStatusCode.Progressing,
            "Waiting for rollout to finish: 1 out of 2 new replicas have been updated...",
            Deployment("replicas: 2", """
                replicas: 3
                  updatedReplicas: 1
                  availableReplicas: 2
                """));
    }

    [Fact]
    public void Deployment_with_old_replicas_left_is_progressing()
    {
        AssertHealth(HealthStatusCode.Progressing,
            "Waiting for rollout to finish: 1 old replicas are pending termination...",
            Deployment("replicas: 2", """
                replicas: 3
                  updatedReplicas: 2
                  availableReplicas: 2
                """));
    }

    [Fact]
    public void Deployment_with_updated_replicas_not_available_is_progressing()
    {
        AssertHealth(HealthStatusCode.Progressing,
            "Waiting for rollout to finish: 1 of 2 updated replicas are available...",
            Deployment("replicas: 2", """
                replicas: 2
                  updatedReplicas: 2
                  availableReplicas: 1
                """));
    }

    [Fact]
    public void Deployment_past_its_progress_deadline_is_degraded()
    {
        AssertHealth(HealthStatusCode.Degraded, "Deployment \"guestbook-ui\" exceeded its progress deadline", Deployment("replicas: 2", """
            replicas: 2
              updatedReplicas: 1
              conditions:
              - type: Progressing
                status: "False"
                reason: ProgressDeadlineExceeded
                message: ReplicaSet "guestbook-ui-85985d774c" has timed out progressing.
            """));
    }

    private static string StatefulSet(string spec, string status, long observedGeneration = 1) => $"""
        apiVersion: apps/v1
        kind: StatefulSet
        metadata:
          name: redis
          generation: 1
        spec:
          replicas: 3
          serviceName: redis
          {spec}
        status:
          observedGeneration: {observedGeneration}
          replicas: 3
          {status}
        """;

    [Fact]
    public void StatefulSet_not_yet_observed_is_progressing()
    {
        AssertHealth(HealthStatusCode.Progressing, "Waiting for statefulset spec update to be observed...",
            StatefulSet("", "readyReplicas: 3", observedGeneration: 0));
    }

    [Fact]
    public void StatefulSet_waiting_for_ready_pods_is_progressing()
    {
        AssertHealth(HealthStatusCode.Progressing, "Waiting for 2 pods to be ready...", StatefulSet("", "readyReplicas: 1"));
    }

    [Fact]
    public void Partitioned_statefulset_rollout_in_progress_is_progressing()
    {
        AssertHealth(HealthStatusCode.Progressing,
            "Waiting for partitioned roll out to finish: 0 out of 1 new pods have been updated...",
            StatefulSet("""
                updateStrategy:
                    type: RollingUpdate
                    rollingUpdate:
                      partition: 2
                """, """
                readyReplicas: 3
                  updatedReplicas: 0
                """));
    }

    [Fact]
    public void Partitioned_statefulset_rollout_done_is_healthy()
    {
        AssertHealth(HealthStatusCode.Healthy, "partitioned roll out complete: 1 new pods have been updated...",
            StatefulSet("""
                updateStrategy:
                    type: RollingUpdate
                    rollingUpdate:
                      partition: 2
                """, """
                readyReplicas: 3
                  updatedReplicas: 1
                """));
    }

    [Fact]
    public void OnDelete_statefulset_reports_its_ready_pods()
    {
        AssertHealth(HealthStatusCode.Healthy, "statefulset has 3 ready pods", StatefulSet("""
            updateStrategy:
                type: OnDelete
            """, """
            readyReplicas: 3
              updateRevision: redis-2
              currentRevision: redis-1
            """));
    }

    [Fact]
    public void StatefulSet_between_revisions_is_progressing()
    {
        AssertHealth(HealthStatusCode.Progressing, "waiting for statefulset rolling update to complete 1 pods at revision redis-7d9f...",
            StatefulSet("", """
                readyReplicas: 3
                  updatedReplicas: 1
                  currentReplicas: 2
                  currentRevision: redis-5c4b
                  updateRevision: redis-7d9f
                """));
    }

    [Fact]
    public void StatefulSet_at_one_revision_is_healthy()
    {
        AssertHealth(HealthStatusCode.Healthy, "statefulset rolling update complete 3 pods at revision redis-5c4b...",
            StatefulSet("", """
                readyReplicas: 3
                  updatedReplicas: 3
                  currentReplicas: 3
                  currentRevision: redis-5c4b
                  updateRevision: redis-5c4b
                """));
    }

    private static string DaemonSet(string strategy, string status) => $"""
        apiVersion: apps/v1
        kind: DaemonSet
        metadata:
          name: fluentd
          generation: 4
        spec:
          updateStrategy:
            type: {strategy}
        status:
          observedGeneration: 4
          {status}
        """;

    [Fact]
    public void DaemonSet_rolling_out_is_progressing()
    {
        AssertHealth(HealthStatusCode.Progressing, "Waiting for daemon set \"fluentd\" rollout to finish: 1 out of 3 new pods have been updated...",
            DaemonSet("RollingUpdate", """
                desiredNumberScheduled: 3
                  updatedNumberScheduled: 1
                  numberAvailable: 3
                """));
    }

    [Fact]
    public void DaemonSet_with_unavailable_pods_is_progressing()
    {
        AssertHealth(HealthStatusCode.Progressing, "Waiting for daemon set \"fluentd\" rollout to finish: 2 of 3 updated pods are available...",
            DaemonSet("RollingUpdate", """
                desiredNumberScheduled: 3
                  updatedNumberScheduled: 3
                  numberAvailable: 2
                """));
    }

    [Fact]
    public void DaemonSet_rolled_out_is_healthy()
    {
        AssertHealth(HealthStatusCode.Healthy, "", DaemonSet("RollingUpdate", """
            desiredNumberScheduled: 3
              updatedNumberScheduled: 3
              numberAvailable: 3
            """));
    }

    [Fact]
    public void OnDelete_daemonset_is_healthy_with_its_update_count()
    {
        AssertHealth(HealthStatusCode.Healthy, "daemon set 1 out of 3 new pods have been updated", DaemonSet("OnDelete", """
            desiredNumberScheduled: 3
              updatedNumberScheduled: 1
              numberAvailable: 3
            """));
    }

    [Fact]
    public void DaemonSet_whose_generation_is_not_observed_yet_is_progressing()
    {
        AssertHealth(HealthStatusCode.Progressing, "Waiting for rollout to finish: observed daemon set generation less than desired generation", """
            apiVersion: apps/v1
            kind: DaemonSet
            metadata:
              name: fluentd
              generation: 5
            status:
              observedGeneration: 4
            """);
    }

    private static string ReplicaSet(string status) => $"""
        apiVersion: apps/v1
        kind: ReplicaSet
        metadata:
          name: guestbook-ui-85985d774c
          generation: 1
        spec:
          replicas: 2
        status:
          observedGeneration: 1
          {status}
        """;

    [Fact]
    public void ReplicaSet_with_a_replica_failure_is_degraded()
    {
        AssertHealth(HealthStatusCode.Degraded, "pods \"guestbook-ui-85985d774c-\" is forbidden: exceeded quota: compute", ReplicaSet("""
            availableReplicas: 0
              conditions:
              - type: ReplicaFailure
                status: "True"
                reason: FailedCreate
                message: 'pods "guestbook-ui-85985d774c-" is forbidden: exceeded quota: compute'
            """));
    }

    [Fact]
    public void ReplicaSet_short_of_available_replicas_is_progressing()
    {
        AssertHealth(HealthStatusCode.Progressing, "Waiting for rollout to finish: 1 out of 2 new replicas are available...",
            ReplicaSet("availableReplicas: 1"));
    }

    [Fact]
    public void ReplicaSet_with_all_replicas_available_is_healthy()
    {
        AssertHealth(HealthStatusCode.Healthy, "", ReplicaSet("availableReplicas: 2"));
    }
}
