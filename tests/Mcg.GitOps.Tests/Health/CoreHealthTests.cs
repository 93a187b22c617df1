using Mcg.GitOps.Health;
using static Mcg.GitOps.Tests.Health.HealthTestSupport;

namespace Mcg.GitOps.Tests.Health;

public class CoreHealthTests
{
    [Fact]
    public void ClusterIP_service_is_healthy()
    {
        AssertHealth(HealthStatusCode.Healthy, "", """
            apiVersion: v1
            kind: Service
            metadata:
              name: guestbook-ui
            spec:
              type: ClusterIP
              ports:
              - port: 80
                targetPort: 80
            status:
              loadBalancer: {}
            """);
    }

    [Fact]
    public void LoadBalancer_service_without_an_address_is_progressing()
    {
        AssertHealth(HealthStatusCode.Progressing, "", """
            apiVersion: v1
            kind: Service
            metadata:
              name: frontend
            spec:
              type: LoadBalancer
              ports:
              - port: 443
            status:
              loadBalancer: {}
            """);
    }

    [Fact]
    public void LoadBalancer_service_with_an_address_is_healthy()
    {
        AssertHealth(HealthStatusCode.Healthy, "", """
            apiVersion: v1
            kind: Service
            metadata:
              name: frontend
            spec:
              type: LoadBalancer
            status:
              loadBalancer:
                ingress:
                - ip: 203.0.113.10
            """);
    }

    [Theory]
    [InlineData("networking.k8s.io/v1", "{}", HealthStatusCode.Progressing)]
    [InlineData("networking.k8s.io/v1", "{ingress: [{hostname: a1b2.elb.amazonaws.com}]}", HealthStatusCode.Healthy)]
    [InlineData("extensions/v1beta1", "{ingress: [{ip: 198.51.100.7}]}", HealthStatusCode.Healthy)]
    public void Ingress_needs_a_load_balancer_address(string apiVersion, string loadBalancer, HealthStatusCode expected)
    {
        AssertHealth(expected, "", $"""
            apiVersion: {apiVersion}
            kind: Ingress
            metadata:
              name: guestbook
            spec:
              rules:
              - host: guestbook.example.com
            status:
              loadBalancer: {loadBalancer}
            """);
    }

    [Theory]
    [InlineData("Bound", HealthStatusCode.Healthy)]
    [InlineData("Pending", HealthStatusCode.Progressing)]
    [InlineData("Lost", HealthStatusCode.Degraded)]
    [InlineData("Resizing", HealthStatusCode.Unknown)]
    public void PersistentVolumeClaim_follows_its_phase(string phase, HealthStatusCode expected)
    {
        AssertHealth(expected, "", $"""
            apiVersion: v1
            kind: PersistentVolumeClaim
            metadata:
              name: data-redis-0
            spec:
              accessModes: [ReadWriteOnce]
              resources:
                requests:
                  storage: 8Gi
            status:
              phase: {phase}
            """);
    }

    [Theory]
    [InlineData("\"True\"", "Passed", "all checks passed", HealthStatusCode.Healthy)]
    [InlineData("\"False\"", "MissingEndpoints", "endpoints for service/metrics-server in \"kube-system\" have no addresses", HealthStatusCode.Progressing)]
    public void APIService_follows_its_available_condition(string status, string reason, string message, HealthStatusCode expected)
    {
        AssertHealth(expected, $"{reason}: {message}", $"""
            apiVersion: apiregistration.k8s.io/v1
            kind: APIService
            metadata:
              name: v1beta1.metrics.k8s.io
            spec:
              group: metrics.k8s.io
              version: v1beta1
            status:
              conditions:
              - type: Available
                status: {status}
                reason: {reason}
                message: '{message}'
            """);
    }

    [Fact]
    public void APIService_without_conditions_is_waiting()
    {
        AssertHealth(HealthStatusCode.Progressing, "Waiting to be processed", """
            apiVersion: apiregistration.k8s.io/v1
            kind: APIService
            metadata:
              name: v1beta1.metrics.k8s.io
            """);
    }

    private static string HpaV2(string conditions) => $"""
        apiVersion: autoscaling/v2
        kind: HorizontalPodAutoscaler
        metadata:
          name: web
        spec:
          minReplicas: 1
          maxReplicas: 5
          scaleTargetRef:
            apiVersion: apps/v1
            kind: Deployment
            name: web
        status:
          currentReplicas: 1
          desiredReplicas: 1
          conditions:
          {conditions}
        """;

    [Fact]
    public void HPA_able_to_scale_is_healthy()
    {
        AssertHealth(HealthStatusCode.Healthy, "recommended size matches current size", HpaV2("""
            - type: AbleToScale
                status: "True"
                reason: ReadyForNewScale
                message: recommended size matches current size
              - type: ScalingActive
                status: "True"
                reason: ValidMetricFound
                message: the HPA was able to successfully calculate a replica count from cpu resource utilization
            """));
    }

    [Fact]
    public void HPA_failing_to_read_metrics_is_degraded()
    {
        AssertHealth(HealthStatusCode.Degraded, "the HPA was unable to compute the replica count: unable to get metrics for resource cpu", HpaV2("""
            - type: ScalingActive
                status: "False"
                reason: FailedGetResourceMetric
                message: 'the HPA was unable to compute the replica count: unable to get metrics for resource cpu'
              - type: AbleToScale
                status: "True"
                reason: SucceededGetScale
                message: the HPA controller was able to get the target's current scale
            """));
    }

    [Fact]
    public void HPA_without_a_verdict_is_waiting_to_autoscale()
    {
        AssertHealth(HealthStatusCode.Progressing, "Waiting to Autoscale", HpaV2("""
            - type: ScalingActive
                status: "False"
                reason: ScalingDisabled
                message: scaling is disabled since the replica count of the target is zero
            """));
    }

    [Fact]
    public void HPA_v1_reads_the_conditions_annotation()
    {
        AssertHealth(HealthStatusCode.Healthy, "the HPA controller was able to update the target scale to 3", """
            apiVersion: autoscaling/v1
            kind: HorizontalPodAutoscaler
            metadata:
              name: web
              annotations:
                autoscaling.alpha.kubernetes.io/conditions: '[{"type":"AbleToScale","status":"True","lastTransitionTime":"2024-05-01T10:00:00Z","reason":"SucceededRescale","message":"the HPA controller was able to update the target scale to 3"}]'
            spec:
              maxReplicas: 5
              scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
            """);
    }

    [Fact]
    public void HPA_v1_without_the_annotation_is_waiting_to_autoscale()
    {
        AssertHealth(HealthStatusCode.Progressing, "Waiting to Autoscale", """
            apiVersion: autoscaling/v1
            kind: HorizontalPodAutoscaler
            metadata:
              name: web
            spec:
              maxReplicas: 5
            """);
    }

    [Fact]
    public void Active_namespace_has_no_health_check_as_in_Argo_CD()
    {
        Assert.Null(Assess("""
            apiVersion: v1
            kind: Namespace
            metadata:
              name: guestbook
            status:
              phase: Active
            """));
    }

    [Fact]
    public void Terminating_namespace_is_pending_deletion()
    {
        AssertHealth(HealthStatusCode.Progressing, "Pending deletion", """
            apiVersion: v1
            kind: Namespace
            metadata:
              name: guestbook
              deletionTimestamp: "2024-05-01T10:00:00Z"
            spec:
              finalizers: [kubernetes]
            status:
              phase: Terminating
            """);
    }

    [Fact]
    public void Any_object_being_deleted_is_pending_deletion()
    {
        AssertHealth(HealthStatusCode.Progressing, "Pending deletion", """
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: settings
              deletionTimestamp: "2024-05-01T10:00:00Z"
              finalizers: [example.com/cleanup]
            """);
    }

    [Fact]
    public void Hook_being_deleted_keeps_its_own_health()
    {
        AssertHealth(HealthStatusCode.Degraded, "Job has reached the specified backoff limit", """
            apiVersion: batch/v1
            kind: Job
            metadata:
              name: presync-migrate
              deletionTimestamp: "2024-05-01T10:00:00Z"
              finalizers: [argocd.argoproj.io/hook-finalizer]
            status:
              conditions:
              - type: Failed
                status: "True"
                message: Job has reached the specified backoff limit
            """);
    }

    [Theory]
    [InlineData("v1", "ConfigMap")]
    [InlineData("v1", "Secret")]
    [InlineData("rbac.authorization.k8s.io/v1", "Role")]
    [InlineData("cert-manager.io/v1", "Certificate")]
    public void Kinds_without_a_check_have_no_health_even_with_conditions(string apiVersion, string kind)
    {
        Assert.Null(Assess($$"""
            apiVersion: {{apiVersion}}
            kind: {{kind}}
            metadata:
              name: x
            status:
              conditions:
              - type: Ready
                status: "False"
                message: broken
            """));
    }
}
