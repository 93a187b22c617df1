using System.Text.Json.Nodes;
using Mcg.GitOps.Health;
using Mcg.Kube.Client;
using Mcg.Storage.Simulation;
using Mcg.Storage.Tests.Support;

namespace Mcg.Storage.Tests;

/// <summary>Nodes, scheduler, kubelet and workload controllers of a real <c>mcg cluster serve</c>, through the API only.</summary>
[Collection(VirtualClusterCollection.Name)]
public sealed class WorkloadSimulationTests(VirtualClusterFixture cluster)
{
    private static readonly HealthAssessor Health = new();

    [Fact]
    public async Task Nodes_are_registered_ready_with_capacity_zones_and_a_disk()
    {
        var nodes = (await cluster.Client.ListAsync(Resources.Nodes, null)).Items;
        Assert.Equal(["worker-1", "worker-2", "worker-3", "worker-4"], nodes.Select(n => n["metadata"]!["name"]!.GetValue<string>()).Order().ToArray());
        var node = nodes.First(n => n["metadata"]!["name"]!.GetValue<string>() == "worker-2");
        Assert.Equal("us-east-1b", node["metadata"]!["labels"]!["topology.kubernetes.io/zone"]!.GetValue<string>());
        Assert.Equal("us-east-1", node["metadata"]!["labels"]!["topology.kubernetes.io/region"]!.GetValue<string>());
        Assert.Equal("8", node["status"]!["allocatable"]!["cpu"]!.GetValue<string>());
        var disks = JsonNode.Parse(node["metadata"]!["annotations"]![SimulationAnnotations.NodeDisks]!.GetValue<string>())!.AsArray();
        Assert.Equal("512Gi", disks[0]!["size"]!.GetValue<string>());
        await cluster.WaitForAsync(Resources.Nodes, null, "worker-2", n => Condition(n, "Ready") == "True", "Ready");
    }

    [Fact]
    public async Task A_deployment_becomes_available_with_upstream_status_fields_and_is_healthy()
    {
        var ns = await cluster.NamespaceAsync("deploy");
        await cluster.ApplyAsync(ns, """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web}
            spec:
              replicas: 3
              selector: {matchLabels: {app: web}}
              template:
                metadata: {labels: {app: web}}
                spec:
                  containers: [{name: web, image: nginx, resources: {requests: {cpu: 100m, memory: 64Mi}}}]
            """);
        var deploy = await cluster.WaitForAsync(Resources.Deployments, ns, "web", d => Health.Assess(d)?.Status == HealthStatusCode.Healthy, "Healthy");
        Assert.Equal(3, deploy["status"]!["readyReplicas"]!.GetValue<long>());
        Assert.Equal(3, deploy["status"]!["availableReplicas"]!.GetValue<long>());
        Assert.Equal(3, deploy["status"]!["updatedReplicas"]!.GetValue<long>());
        Assert.Equal(deploy["metadata"]!["generation"]!.GetValue<long>(), deploy["status"]!["observedGeneration"]!.GetValue<long>());
        Assert.Equal("NewReplicaSetAvailable", deploy["status"]!["conditions"]!.AsArray().First(c => c!["type"]!.GetValue<string>() == "Progressing")!["reason"]!.GetValue<string>());
        var pods = (await cluster.Client.ListAsync(Resources.Pods, ns)).Items;
        Assert.Equal(3, pods.Count);
        Assert.All(pods, p => Assert.Equal("Running", p["status"]!["phase"]!.GetValue<string>()));
        // Spread over distinct nodes, as the scheduler's spreading prefers.
        Assert.Equal(3, pods.Select(p => p["spec"]!["nodeName"]!.GetValue<string>()).Distinct().Count());
    }

    [Fact]
    public async Task A_missing_secret_keeps_the_pod_container_creating_with_the_kubelet_event_until_it_exists()
    {
        var ns = await cluster.NamespaceAsync("secret");
        await cluster.ApplyAsync(ns, """
            apiVersion: v1
            kind: Pod
            metadata: {name: app}
            spec:
              containers: [{name: app, image: busybox, volumeMounts: [{name: creds, mountPath: /etc/creds}]}]
              volumes: [{name: creds, secret: {secretName: db-creds}}]
            """);
        var message = await cluster.WaitForEventAsync(ns, "app", "FailedMount");
        Assert.Equal("MountVolume.SetUp failed for volume \"creds\" : secret \"db-creds\" not found", message);
        var pod = await cluster.GetAsync(Resources.Pods, ns, "app");
        Assert.Equal("Pending", pod["status"]!["phase"]!.GetValue<string>());
        Assert.Equal("ContainerCreating", pod["status"]!["containerStatuses"]![0]!["state"]!["waiting"]!["reason"]!.GetValue<string>());
        await cluster.ApplyAsync(ns, """
            apiVersion: v1
            kind: Secret
            metadata: {name: db-creds}
            stringData: {password: s3cret}
            """);
        var running = await cluster.WaitForAsync(Resources.Pods, ns, "app", p => Condition(p, "Ready") == "True", "Running and Ready");
        Assert.Equal("Running", running["status"]!["phase"]!.GetValue<string>());
    }

    [Fact]
    public async Task Jobs_complete_after_their_run_time_or_fail_when_annotated()
    {
        var ns = await cluster.NamespaceAsync("jobs");
        await cluster.ApplyAsync(ns, """
            apiVersion: batch/v1
            kind: Job
            metadata: {name: ok, annotations: {sim.mcg.io/run-duration: 1s}}
            spec:
              completions: 2
              template:
                spec:
                  restartPolicy: Never
                  containers: [{name: c, image: busybox}]
            ---
            apiVersion: batch/v1
            kind: Job
            metadata: {name: broken, annotations: {sim.mcg.io/fail: "true", sim.mcg.io/run-duration: 500ms}}
            spec:
              backoffLimit: 1
              template:
                spec:
                  restartPolicy: Never
                  containers: [{name: c, image: busybox}]
            """);
        var ok = await cluster.WaitForAsync(Resources.Jobs, ns, "ok", j => Health.Assess(j)?.Status == HealthStatusCode.Healthy, "Complete");
        Assert.Equal(2, ok["status"]!["succeeded"]!.GetValue<long>());
        Assert.NotNull(ok["status"]!["completionTime"]);
        var broken = await cluster.WaitForAsync(Resources.Jobs, ns, "broken", j => Health.Assess(j)?.Status == HealthStatusCode.Degraded, "Failed");
        Assert.Equal(2, broken["status"]!["failed"]!.GetValue<long>());
        Assert.Equal("Job has reached the specified backoff limit", Health.Assess(broken)!.Message);
    }

    [Fact]
    public async Task A_cronjob_creates_jobs_on_schedule()
    {
        var ns = await cluster.NamespaceAsync("cron");
        // Cronos's seconds field keeps the test short; five-field schedules work the same way.
        await cluster.ApplyAsync(ns, """
            apiVersion: batch/v1
            kind: CronJob
            metadata: {name: tick}
            spec:
              schedule: "*/2 * * * * *"
              successfulJobsHistoryLimit: 2
              jobTemplate:
                metadata: {annotations: {sim.mcg.io/run-duration: 200ms}}
                spec:
                  template:
                    spec:
                      restartPolicy: OnFailure
                      containers: [{name: c, image: busybox}]
            """);
        var cj = await cluster.WaitForAsync(ResourceRef.CronJobs, ns, "tick", c => c["status"]?["lastSuccessfulTime"] is not null, "a successful run");
        Assert.NotNull(cj["status"]!["lastScheduleTime"]);
        var jobs = (await cluster.Client.ListAsync(Resources.Jobs, ns)).Items;
        Assert.NotEmpty(jobs);
        Assert.All(jobs, j => Assert.StartsWith("tick-", j["metadata"]!["name"]!.GetValue<string>(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Unschedulable_pods_get_the_schedulers_reasons()
    {
        var ns = await cluster.NamespaceAsync("sched");
        await cluster.ApplyAsync(ns, """
            apiVersion: v1
            kind: Pod
            metadata: {name: picky}
            spec:
              nodeSelector: {disktype: nvme}
              containers: [{name: c, image: busybox}]
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: greedy}
            spec:
              containers: [{name: c, image: busybox, resources: {requests: {cpu: "100"}}}]
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: pinned}
            spec:
              affinity:
                nodeAffinity:
                  requiredDuringSchedulingIgnoredDuringExecution:
                    nodeSelectorTerms: [{matchExpressions: [{key: topology.kubernetes.io/zone, operator: In, values: [us-east-1c]}]}]
              containers: [{name: c, image: busybox}]
            """);
        Assert.Equal("0/4 nodes are available: 4 node(s) didn't match Pod's node affinity/selector.",
            await cluster.WaitForEventAsync(ns, "picky", "FailedScheduling"));
        Assert.Equal("0/4 nodes are available: 4 Insufficient cpu.", await cluster.WaitForEventAsync(ns, "greedy", "FailedScheduling"));
        var pinned = await cluster.WaitForAsync(Resources.Pods, ns, "pinned", p => p["spec"]?["nodeName"] is not null, "scheduled");
        Assert.Equal("worker-3", pinned["spec"]!["nodeName"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_failed_node_goes_not_ready_and_its_pods_are_recreated_elsewhere()
    {
        var ns = await cluster.NamespaceAsync("failover");
        await cluster.ApplyAsync(ns, """
            apiVersion: apps/v1
            kind: StatefulSet
            metadata: {name: db}
            spec:
              replicas: 1
              serviceName: db
              selector: {matchLabels: {app: db}}
              template:
                metadata: {labels: {app: db}}
                spec:
                  containers: [{name: db, image: postgres}]
            """);
        await cluster.WaitForAsync(Resources.StatefulSets, ns, "db", s => Health.Assess(s)?.Status == HealthStatusCode.Healthy, "Healthy");
        var before = await cluster.GetAsync(Resources.Pods, ns, "db-0");
        var node = before["spec"]!["nodeName"]!.GetValue<string>();
        var fail = await cluster.McgAsync("cluster", "node", "fail", node);
        Assert.True(fail.Exit == 0, fail.Err);
        try
        {
            await cluster.WaitForAsync(Resources.Nodes, null, node, n => Condition(n, "Ready") == "Unknown", "NotReady");
            var after = await cluster.WaitForAsync(Resources.Pods, ns, "db-0",
                p => p["metadata"]!["uid"]!.ToString() != before["metadata"]!["uid"]!.ToString() && Condition(p, "Ready") == "True", "recreated and Ready");
            Assert.NotEqual(node, after["spec"]!["nodeName"]!.GetValue<string>());
            await cluster.WaitForAsync(Resources.StatefulSets, ns, "db", s => Health.Assess(s)?.Status == HealthStatusCode.Healthy, "Healthy again");
        }
        finally
        {
            await cluster.McgAsync("cluster", "node", "recover", node);
        }
        await cluster.WaitForAsync(Resources.Nodes, null, node, n => Condition(n, "Ready") == "True", "Ready again");
    }

    internal static string Condition(JsonObject obj, string type) =>
        obj["status"]?["conditions"]?.AsArray().FirstOrDefault(c => c?["type"]?.GetValue<string>() == type)?["status"]?.GetValue<string>() ?? "";
}
