using Mcg.GitOps.Health;
using static Mcg.GitOps.Tests.Health.HealthTestSupport;

namespace Mcg.GitOps.Tests.Health;

public class CustomResourceHealthTests
{
    private const string ChildApplication = """
        apiVersion: argoproj.io/v1alpha1
        kind: Application
        metadata:
          name: guestbook
          namespace: argocd
        spec:
          project: default
          source:
            repoURL: https://git.example.com/apps.git
            path: guestbook
          destination:
            server: https://kubernetes.default.svc
            namespace: guestbook
        status:
          sync:
            status: Synced
          health:
            status: Degraded
            message: 'Deployment "guestbook-ui" exceeded its progress deadline'
        """;

    [Fact]
    public void Child_application_reports_its_own_health()
    {
        AssertHealth(HealthStatusCode.Degraded, "Deployment \"guestbook-ui\" exceeded its progress deadline", ChildApplication);
    }

    [Fact]
    public void Child_application_not_reconciled_yet_is_progressing()
    {
        AssertHealth(HealthStatusCode.Progressing, "", """
            apiVersion: argoproj.io/v1alpha1
            kind: Application
            metadata:
              name: guestbook
            spec:
              project: default
            """);
    }

    [Fact]
    public void Child_application_health_can_be_left_out_as_stock_Argo_CD_does()
    {
        Assert.Null(new HealthAssessor(assessApplications: false).Assess(Yaml(ChildApplication)));
    }

    [Theory]
    [InlineData("Running", HealthStatusCode.Progressing)]
    [InlineData("Succeeded", HealthStatusCode.Healthy)]
    [InlineData("Error", HealthStatusCode.Degraded)]
    public void Workflow_follows_its_phase(string phase, HealthStatusCode expected)
    {
        AssertHealth(expected, "step 2/3", $"""
            apiVersion: argoproj.io/v1alpha1
            kind: Workflow
            metadata:
              name: build-1234
            status:
              phase: {phase}
              message: step 2/3
            """);
    }

    private static string StorageCluster(string status) => $"""
        apiVersion: core.libopenstorage.org/v1
        kind: StorageCluster
        metadata:
          name: px-cluster
          namespace: portworx
        spec:
          image: portworx/oci-monitor:3.1.0
        status:
          clusterName: px-cluster
          {status}
        """;

    [Theory]
    [InlineData("Online", HealthStatusCode.Healthy, "")]
    [InlineData("Running", HealthStatusCode.Healthy, "")]
    [InlineData("Initializing", HealthStatusCode.Progressing, "StorageCluster is Initializing")]
    [InlineData("Failed", HealthStatusCode.Degraded, "StorageCluster is Failed")]
    public void StorageCluster_follows_its_phase(string phase, HealthStatusCode expected, string message)
    {
        AssertHealth(expected, message, StorageCluster($"phase: {phase}"));
    }

    [Fact]
    public void Degraded_storage_cluster_carries_its_status_message()
    {
        AssertHealth(HealthStatusCode.Degraded, "2 of 3 storage nodes are offline", StorageCluster("""
            phase: Degraded
              message: 2 of 3 storage nodes are offline
            """));
    }

    [Fact]
    public void StorageCluster_without_a_phase_is_progressing()
    {
        AssertHealth(HealthStatusCode.Progressing, "Waiting for StorageCluster status", StorageCluster("version: 3.1.0"));
    }

    private static string ExternalSecret(string refreshPolicy, string status) => $"""
        apiVersion: external-secrets.io/v1beta1
        kind: ExternalSecret
        metadata:
          name: db-credentials
        spec:
          refreshInterval: 1h
          refreshPolicy: {refreshPolicy}
          secretStoreRef:
            name: vault
            kind: ClusterSecretStore
          target:
            name: db-credentials
        status:
          refreshTime: "2024-05-01T10:00:00Z"
          {status}
        """;

    [Fact]
    public void Synced_external_secret_is_healthy()
    {
        AssertHealth(HealthStatusCode.Healthy, "Secret was synced", ExternalSecret("Periodic", """
            conditions:
              - type: Ready
                status: "True"
                reason: SecretSynced
                message: Secret was synced
                lastTransitionTime: "2024-05-01T09:00:00Z"
            """));
    }

    [Fact]
    public void External_secret_failing_to_sync_is_degraded()
    {
        AssertHealth(HealthStatusCode.Degraded, "could not get secret data from provider", ExternalSecret("Periodic", """
            conditions:
              - type: Ready
                status: "False"
                reason: SecretSyncedError
                message: could not get secret data from provider
                lastTransitionTime: "2024-05-01T10:00:00Z"
            """));
    }

    [Fact]
    public void External_secret_without_conditions_is_waiting()
    {
        AssertHealth(HealthStatusCode.Progressing, "Waiting for ExternalSecret", ExternalSecret("Periodic", "binding: {name: db-credentials}"));
    }

    [Fact]
    public void OnChange_external_secret_ignores_a_ready_condition_older_than_the_refresh()
    {
        AssertHealth(HealthStatusCode.Progressing, "Waiting for ExternalSecret", ExternalSecret("OnChange", """
            conditions:
              - type: Ready
                status: "True"
                message: Secret was synced
                lastTransitionTime: "2024-05-01T09:00:00Z"
            """));
    }

    private static string ManifestWork(string conditions) => $$"""
        apiVersion: work.open-cluster-management.io/v1
        kind: ManifestWork
        metadata:
          name: hello-work
          namespace: cluster1
        spec:
          workload:
            manifests:
            - apiVersion: v1
              kind: ConfigMap
              metadata: {name: hello, namespace: default}
        status:
          conditions:
          {{conditions}}
        """;

    [Fact]
    public void Applied_and_available_manifest_work_is_healthy()
    {
        AssertHealth(HealthStatusCode.Healthy, "All resources are available", ManifestWork("""
            - type: Applied
                status: "True"
                reason: AppliedManifestWorkComplete
                message: Apply manifest work complete
              - type: Available
                status: "True"
                reason: ResourcesAvailable
                message: All resources are available
            """));
    }

    [Fact]
    public void Manifest_work_that_failed_to_apply_is_degraded()
    {
        AssertHealth(HealthStatusCode.Degraded, "Failed to apply manifest work", ManifestWork("""
            - type: Applied
                status: "False"
                reason: AppliedManifestWorkFailed
                message: Failed to apply manifest work
            """));
    }

    [Fact]
    public void Manifest_work_reported_degraded_is_degraded()
    {
        AssertHealth(HealthStatusCode.Degraded, "deployment hello has no available replicas", ManifestWork("""
            - type: Applied
                status: "True"
              - type: Available
                status: "True"
              - type: Degraded
                status: "True"
                message: deployment hello has no available replicas
            """));
    }

    [Fact]
    public void Manifest_work_waiting_for_resources_is_progressing()
    {
        AssertHealth(HealthStatusCode.Progressing, "1 of 2 resources are not available", ManifestWork("""
            - type: Applied
                status: "True"
              - type: Available
                status: "False"
                reason: ResourcesNotAvailable
                message: 1 of 2 resources are not available
            """));
    }

    private static string Policy(string body) => $"""
        apiVersion: policy.open-cluster-management.io/v1
        kind: Policy
        metadata:
          name: policy-namespace
          namespace: policies
        {body}
        """;

    [Fact]
    public void Root_policy_lists_its_noncompliant_clusters()
    {
        AssertHealth(HealthStatusCode.Degraded, "NonCompliant clusters: local-cluster, managed", Policy("""
            spec:
              disabled: false
            status:
              compliant: NonCompliant
              placement:
              - placementBinding: binding-policy-namespace
                placementRule: placement-policy-namespace
              status:
              - clustername: local-cluster
                clusternamespace: local-cluster
                compliant: NonCompliant
              - clustername: managed
                clusternamespace: managed
                compliant: NonCompliant
              - clustername: edge
                clusternamespace: edge
                compliant: Compliant
            """));
    }

    [Fact]
    public void Compliant_root_policy_is_healthy()
    {
        AssertHealth(HealthStatusCode.Healthy, "All clusters are compliant", Policy("""
            spec:
              disabled: false
            status:
              compliant: Compliant
              status:
              - clustername: local-cluster
                compliant: Compliant
            """));
    }

    [Fact]
    public void Replicated_policy_lists_its_noncompliant_templates()
    {
        AssertHealth(HealthStatusCode.Degraded, "NonCompliant templates: example-namespace", Policy("""
            spec:
              disabled: false
            status:
              compliant: NonCompliant
              details:
              - compliant: NonCompliant
                templateMeta:
                  name: example-namespace
              - compliant: Compliant
                templateMeta:
                  name: example-quota
            """));
    }

    [Fact]
    public void Disabled_policy_is_healthy()
    {
        AssertHealth(HealthStatusCode.Healthy, "Policy is disabled", Policy("""
            spec:
              disabled: true
            status:
              compliant: NonCompliant
            """));
    }

    [Fact]
    public void Policy_without_compliance_is_waiting()
    {
        AssertHealth(HealthStatusCode.Progressing, "Waiting for the status to be reported", Policy("""
            spec:
              disabled: false
            status: {}
            """));
    }

    [Fact]
    public void Policy_placed_on_no_cluster_is_healthy()
    {
        AssertHealth(HealthStatusCode.Healthy, "No clusters match this policy", Policy("""
            spec:
              disabled: false
            status:
              placement:
              - placementBinding: binding-policy-namespace
                placement: placement-policy-namespace
            """));
    }

    private static string Subscription(string conditions) => $"""
        apiVersion: operators.coreos.com/v1alpha1
        kind: Subscription
        metadata:
          name: camel-k
          namespace: operators
        spec:
          channel: stable-v2
          name: camel-k
          source: community-operators
          sourceNamespace: openshift-marketplace
        status:
          currentCSV: camel-k-operator.v2.5.1
          state: AtLatestKnown
          conditions:
          {conditions}
        """;

    [Fact]
    public void Subscription_with_healthy_catalogs_is_healthy()
    {
        AssertHealth(HealthStatusCode.Healthy, "1: CatalogSourcesUnhealthy | False\n", Subscription("""
            - type: CatalogSourcesUnhealthy
                status: "False"
                reason: AllCatalogSourcesHealthy
                message: all available catalogsources are healthy
            """));
    }

    [Fact]
    public void Subscription_with_a_pending_install_plan_is_progressing()
    {
        AssertHealth(HealthStatusCode.Progressing, "An install plan for a subscription is pending installation", Subscription("""
            - type: CatalogSourcesUnhealthy
                status: "False"
              - type: InstallPlanPending
                status: "True"
                reason: Installing
            """));
    }

    [Fact]
    public void Subscription_with_a_failed_install_plan_is_degraded_and_lists_all_conditions()
    {
        AssertHealth(HealthStatusCode.Degraded, "1: CatalogSourcesUnhealthy | False\n2: InstallPlanFailed | True\n", Subscription("""
            - type: CatalogSourcesUnhealthy
                status: "False"
              - type: InstallPlanFailed
                status: "True"
                reason: InstallComponentFailed
            """));
    }

    [Fact]
    public void Subscription_whose_install_plan_was_garbage_collected_is_healthy()
    {
        AssertHealth(HealthStatusCode.Healthy, "1: CatalogSourcesUnhealthy | False\n2: InstallPlanMissing | True\n", Subscription("""
            - type: CatalogSourcesUnhealthy
                status: "False"
              - type: InstallPlanMissing
                status: "True"
                reason: ReferencedInstallPlanNotFound
            """));
    }

    [Fact]
    public void Subscription_without_conditions_is_pending()
    {
        AssertHealth(HealthStatusCode.Progressing, "An install plan for a subscription is pending installation", """
            apiVersion: operators.coreos.com/v1alpha1
            kind: Subscription
            metadata:
              name: camel-k
            spec:
              name: camel-k
            """);
    }
}
