using Mcg.GitOps.Health;
using static Mcg.GitOps.Tests.Health.HealthTestSupport;

namespace Mcg.GitOps.Tests.Health;

public class PodHealthTests
{
    private static string Pod(string restartPolicy, string status, string annotations = "{}") => $"""
        apiVersion: v1
        kind: Pod
        metadata:
          name: guestbook-ui-85985d774c-2g48w
          namespace: default
          annotations: {annotations}
        spec:
          restartPolicy: {restartPolicy}
          containers:
          - name: guestbook-ui
            image: gcr.io/heptio-images/ks-guestbook-demo:0.2
        status:
          {status}
        """;

    [Fact]
    public void Running_and_ready_long_running_pod_is_healthy()
    {
        AssertHealth(HealthStatusCode.Healthy, "", Pod("Always", """
            phase: Running
              conditions:
              - type: Ready
                status: "True"
              containerStatuses:
              - name: guestbook-ui
                ready: true
                restartCount: 0
                state:
                  running:
                    startedAt: "2024-05-01T10:00:00Z"
            """));
    }

    [Fact]
    public void CrashLoopBackOff_is_degraded_with_the_waiting_message()
    {
        AssertHealth(HealthStatusCode.Degraded, "back-off 5m0s restarting failed container=guestbook-ui pod=guestbook-ui-85985d774c-2g48w_default",
            Pod("Always", """
                phase: Running
                  conditions:
                  - type: Ready
                    status: "False"
                  containerStatuses:
                  - name: guestbook-ui
                    ready: false
                    restartCount: 7
                    lastState:
                      terminated:
                        exitCode: 1
                        reason: Error
                    state:
                      waiting:
                        reason: CrashLoopBackOff
                        message: back-off 5m0s restarting failed container=guestbook-ui pod=guestbook-ui-85985d774c-2g48w_default
                """));
    }

    [Fact]
    public void ImagePullBackOff_of_several_containers_joins_their_messages()
    {
        AssertHealth(HealthStatusCode.Degraded, "Back-off pulling image \"web:nope\", rpc error: code = NotFound",
            Pod("Always", """
                phase: Pending
                  containerStatuses:
                  - name: web
                    state:
                      waiting:
                        reason: ImagePullBackOff
                        message: Back-off pulling image "web:nope"
                  - name: sidecar
                    state:
                      waiting:
                        reason: ErrImagePull
                        message: 'rpc error: code = NotFound'
                """));
    }

    [Fact]
    public void Hook_pod_with_a_pull_error_stays_progressing()
    {
        AssertHealth(HealthStatusCode.Progressing, "", Pod("Never", """
            phase: Pending
              containerStatuses:
              - name: migrate
                state:
                  waiting:
                    reason: ImagePullBackOff
                    message: Back-off pulling image "migrate:nope"
            """));
    }

    [Fact]
    public void Running_hook_pod_is_progressing()
    {
        AssertHealth(HealthStatusCode.Progressing, "", Pod("Never", """
            phase: Running
              conditions:
              - type: Ready
                status: "True"
            """));
    }

    [Fact]
    public void Ignore_restart_policy_annotation_assesses_a_never_pod_as_long_running()
    {
        AssertHealth(HealthStatusCode.Healthy, "", Pod("Never", """
            phase: Running
              conditions:
              - type: Ready
                status: "True"
            """, """{"argocd.argoproj.io/ignore-restart-policy": "true"}"""));
    }

    [Fact]
    public void Running_pod_not_ready_after_a_restart_is_degraded()
    {
        AssertHealth(HealthStatusCode.Degraded, "", Pod("Always", """
            phase: Running
              conditions:
              - type: Ready
                status: "False"
              containerStatuses:
              - name: guestbook-ui
                lastState:
                  terminated:
                    exitCode: 137
                    reason: OOMKilled
                state:
                  running:
                    startedAt: "2024-05-01T10:00:00Z"
            """));
    }

    [Fact]
    public void Running_pod_not_ready_yet_is_progressing()
    {
        AssertHealth(HealthStatusCode.Progressing, "", Pod("Always", """
            phase: Running
              conditions:
              - type: Ready
                status: "False"
              containerStatuses:
              - name: guestbook-ui
                state:
                  running:
                    startedAt: "2024-05-01T10:00:00Z"
            """));
    }

    [Fact]
    public void Pending_pod_is_progressing_with_its_message()
    {
        AssertHealth(HealthStatusCode.Progressing, "0/3 nodes are available: 3 Insufficient cpu.", Pod("Always", """
            phase: Pending
              message: '0/3 nodes are available: 3 Insufficient cpu.'
            """));
    }

    [Fact]
    public void Succeeded_pod_is_healthy()
    {
        AssertHealth(HealthStatusCode.Healthy, "", Pod("Never", "phase: Succeeded"));
    }

    [Fact]
    public void Failed_pod_prefers_its_own_message()
    {
        AssertHealth(HealthStatusCode.Degraded, "Pod was active on the node longer than the specified deadline", Pod("Never", """
            phase: Failed
              reason: DeadlineExceeded
              message: Pod was active on the node longer than the specified deadline
            """));
    }

    [Fact]
    public void Failed_pod_names_the_failing_container_and_exit_code()
    {
        AssertHealth(HealthStatusCode.Degraded, "container \"migrate\" failed with exit code 2", Pod("Never", """
            phase: Failed
              initContainerStatuses:
              - name: init
                state:
                  terminated:
                    exitCode: 0
                    reason: Completed
              containerStatuses:
              - name: migrate
                state:
                  terminated:
                    exitCode: 2
                    reason: Error
            """));
    }

    [Fact]
    public void Failed_pod_reports_OOMKilled()
    {
        AssertHealth(HealthStatusCode.Degraded, "OOMKilled", Pod("OnFailure", """
            phase: Failed
              containerStatuses:
              - name: migrate
                state:
                  terminated:
                    exitCode: 137
                    reason: OOMKilled
            """));
    }

    [Fact]
    public void Pod_in_an_unknown_phase_is_unknown()
    {
        AssertHealth(HealthStatusCode.Unknown, "", Pod("Always", "phase: Unknown"));
    }
}
