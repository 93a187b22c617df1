using System.Text.Json.Nodes;
using Mcg.ApiServer.Tests.Support;
using Mcg.GitOps.Health;
using Mcg.Storage.Portworx;
using Mcg.Storage.Simulation;
using Mcg.Storage.Tests.Support;

namespace Mcg.Storage.Tests;

/// <summary>The Portworx simulator on a real <c>mcg cluster serve</c> (4 nodes), through the API and <c>mcg cluster exec</c>.</summary>
[Collection(VirtualClusterCollection.Name)]
public sealed class StorageSimulationTests(VirtualClusterFixture cluster)
{
    private static readonly HealthAssessor Health = new();

    [Fact]
    public async Task The_storage_cluster_reaches_running_with_online_storage_nodes_and_the_default_classes()
    {
        await cluster.EnsurePortworxAsync();
        var stc = await cluster.GetAsync(Resources.StorageClusters, "portworx", "px-cluster-test");
        Assert.Equal(HealthStatusCode.Healthy, Health.Assess(stc)!.Status);
        Assert.Equal("3.0.3", stc["status"]!["version"]!.GetValue<string>());
        Assert.Equal("px-cluster-test", stc["status"]!["clusterName"]!.GetValue<string>());
        var nodes = (await cluster.Client.ListAsync(Resources.StorageNodes, "portworx")).Items;
        Assert.Equal(4, nodes.Count);
        Assert.All(nodes, n =>
        {
            Assert.Equal("Online", n["status"]!["phase"]!.GetValue<string>());
            Assert.Equal("20Gi", n["status"]!["storage"]!["totalSize"]!.GetValue<string>());
            Assert.Single(n["status"]!["pools"]!.AsArray());
            Assert.Equal(HealthStatusCode.Healthy, Health.Assess(n)!.Status);
        });
        var db = await cluster.GetAsync(Resources.StorageClasses, null, "px-csi-db");
        Assert.Equal(PortworxTopology.Driver, db["provisioner"]!.GetValue<string>());
        Assert.Equal("3", db["parameters"]!["repl"]!.GetValue<string>());
        Assert.Equal("db_remote", db["parameters"]!["io_profile"]!.GetValue<string>());
        Assert.Equal("2", (await cluster.GetAsync(Resources.StorageClasses, null, "px-csi-replicated"))["parameters"]!["repl"]!.GetValue<string>());
        Assert.Equal(PortworxTopology.Driver, (await cluster.GetAsync(Resources.VolumeSnapshotClasses, null, "px-csi-snapclass"))["driver"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_invalid_storage_cluster_fails_with_a_message_naming_the_field()
    {
        await cluster.EnsurePortworxAsync(); // the cluster's one StorageCluster comes first (a later one is refused)
        var ns = await cluster.NamespaceAsync("badpx");
        await cluster.ApplyAsync(ns, """
            apiVersion: core.libopenstorage.org/v1
            kind: StorageCluster
            metadata: {name: broken}
            spec:
              image: portworx/oci-monitor:3.0.3
              cloudStorage: {deviceSpecs: ["type=gp2,siz=20"]}
              secretsProvider: keepass
            """);
        var stc = await cluster.WaitForAsync(Resources.StorageClusters, ns, "broken", c => c["status"]?["phase"] is not null, "a phase");
        var health = Health.Assess(stc)!;
        Assert.Equal(HealthStatusCode.Degraded, health.Status);
        Assert.Contains("spec.cloudStorage.deviceSpecs[0]: \"type=gp2,siz=20\": unknown key \"siz\"", health.Message, StringComparison.Ordinal);
        Assert.Contains("spec.secretsProvider: unsupported value \"keepass\"", health.Message, StringComparison.Ordinal);
        Assert.Empty((await cluster.Client.ListAsync(Resources.StorageNodes, ns)).Items);
        await cluster.Client.DeleteAsync(Resources.StorageClusters, ns, "broken");
    }

    [Fact]
    public async Task A_second_storage_cluster_is_refused()
    {
        await cluster.EnsurePortworxAsync();
        var ns = await cluster.NamespaceAsync("secondpx");
        await cluster.ApplyAsync(ns, """
            apiVersion: core.libopenstorage.org/v1
            kind: StorageCluster
            metadata: {name: another}
            spec: {image: "portworx/oci-monitor:3.0.3", kvdb: {internal: true}}
            """);
        var stc = await cluster.WaitForAsync(Resources.StorageClusters, ns, "another", c => c["status"]?["phase"] is not null, "a phase");
        Assert.Equal("Failed", stc["status"]!["phase"]!.GetValue<string>());
        Assert.Contains("only one StorageCluster is supported in a Kubernetes cluster, portworx/px-cluster-test already exists", Health.Assess(stc)!.Message, StringComparison.Ordinal);
        await cluster.Client.DeleteAsync(Resources.StorageClusters, ns, "another");
    }

    [Fact]
    public async Task Losing_quorum_degrades_the_storage_cluster_until_the_nodes_return()
    {
        await cluster.EnsurePortworxAsync();
        string[] down = ["worker-3", "worker-4"];
        try
        {
            foreach (var node in down)
            {
                Assert.Equal(0, (await cluster.McgAsync("cluster", "node", "fail", node)).Exit);
            }
            var stc = await cluster.WaitForAsync(Resources.StorageClusters, "portworx", "px-cluster-test", c => c["status"]?["phase"]?.GetValue<string>() == "Degraded", "Degraded");
            var health = Health.Assess(stc)!;
            Assert.Equal(HealthStatusCode.Degraded, health.Status);
            Assert.Equal("cluster is not in quorum: 2 of 4 storage nodes are online", health.Message);
        }
        finally
        {
            foreach (var node in down)
            {
                await cluster.McgAsync("cluster", "node", "recover", node);
            }
        }
        await cluster.WaitForAsync(Resources.StorageClusters, "portworx", "px-cluster-test", c => c["status"]?["phase"]?.GetValue<string>() == "Running", "Running again");
        foreach (var node in down)
        {
            await cluster.WaitForAsync(Resources.Nodes, null, node, n => WorkloadSimulationTests.Condition(n, "Ready") == "True", "Ready again");
        }
    }

    [Fact]
    public async Task A_repl_3_claim_binds_to_a_volume_with_replicas_on_three_distinct_nodes()
    {
        await cluster.EnsurePortworxAsync();
        var ns = await cluster.NamespaceAsync("repl3");
        await cluster.ApplyAsync(ns, Claim("data", "px-csi-db", "1Gi"));
        var pvc = await cluster.WaitForAsync(Resources.PersistentVolumeClaims, ns, "data", c => c["status"]?["phase"]?.GetValue<string>() == "Bound", "Bound");
        Assert.Equal(HealthStatusCode.Healthy, Health.Assess(pvc)!.Status);
        var pv = await cluster.GetAsync(Resources.PersistentVolumes, null, pvc["spec"]!["volumeName"]!.GetValue<string>());
        var replicas = PortworxTopology.ReplicaNodes(pv);
        Assert.Equal(3, replicas.Distinct().Count());
        Assert.Equal("3", pv["spec"]!["csi"]!["volumeAttributes"]!["repl"]!.GetValue<string>());
        Assert.Equal("db_remote", pv["spec"]!["csi"]!["volumeAttributes"]!["io_profile"]!.GetValue<string>());
        Assert.Equal("Delete", pv["spec"]!["persistentVolumeReclaimPolicy"]!.GetValue<string>());
        // Zones are spread first: the three replicas sit in the three zones.
        var zones = new HashSet<string>();
        foreach (var node in replicas)
        {
            zones.Add((await cluster.GetAsync(Resources.Nodes, null, node))["metadata"]!["labels"]!["topology.kubernetes.io/zone"]!.GetValue<string>());
        }
        Assert.Equal(3, zones.Count);
        // Reclaim policy Delete: the claim's deletion removes the volume.
        await cluster.Client.DeleteAsync(Resources.PersistentVolumeClaims, ns, "data");
        await Eventually.TrueAsync(async () => await cluster.Client.GetAsync(Resources.PersistentVolumes, null, pv["metadata"]!["name"]!.GetValue<string>()) is null,
            "the released volume is deleted", TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task An_oversized_claim_stays_pending_with_a_provisioning_event()
    {
        await cluster.EnsurePortworxAsync();
        var ns = await cluster.NamespaceAsync("huge");
        await cluster.ApplyAsync(ns, Claim("huge", "px-csi-db", "1Ti"));
        var message = await cluster.WaitForEventAsync(ns, "huge", "ProvisioningFailed");
        Assert.StartsWith("failed to provision volume with StorageClass \"px-csi-db\": rpc error: code = Internal desc = Failed to create volume: could not find enough storage pools with 1Ti free for 3 replica(s)", message, StringComparison.Ordinal);
        var pvc = await cluster.GetAsync(Resources.PersistentVolumeClaims, ns, "huge");
        Assert.Equal("Pending", pvc["status"]!["phase"]!.GetValue<string>());
        Assert.Equal(HealthStatusCode.Progressing, Health.Assess(pvc)!.Status);
    }

    [Fact]
    public async Task More_replicas_than_online_storage_nodes_stay_pending_with_a_clear_event()
    {
        await cluster.EnsurePortworxAsync();
        var ns = await cluster.NamespaceAsync("repl");
        await cluster.ApplyAsync(ns, """
            apiVersion: storage.k8s.io/v1
            kind: StorageClass
            metadata: {name: px-bad-repl}
            provisioner: pxd.portworx.com
            parameters: {repl: "5"}
            """);
        await cluster.ApplyAsync(ns, Claim("five", "px-bad-repl", "1Gi"));
        Assert.Contains("invalid value for parameter repl: \"5\": replication factor must be 1, 2 or 3", await cluster.WaitForEventAsync(ns, "five", "ProvisioningFailed"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_snapshot_restores_the_data_it_was_taken_from()
    {
        await cluster.EnsurePortworxAsync();
        var ns = await cluster.NamespaceAsync("snap");
        await cluster.ApplyAsync(ns, Claim("source", "px-csi-replicated", "1Gi") + "\n---\n" + PodMounting("writer", "source", "/data"));
        await cluster.WaitForAsync(Resources.Pods, ns, "writer", p => WorkloadSimulationTests.Condition(p, "Ready") == "True", "Ready");
        Assert.Equal(0, (await cluster.ExecAsync(ns, "writer", "write", "/data/state.txt", "before the snapshot")).Exit);
        await cluster.ApplyAsync(ns, """
            apiVersion: snapshot.storage.k8s.io/v1
            kind: VolumeSnapshot
            metadata: {name: snap}
            spec:
              volumeSnapshotClassName: px-csi-snapclass
              source: {persistentVolumeClaimName: source}
            """);
        var snapshot = await cluster.WaitForAsync(Resources.VolumeSnapshots, ns, "snap", s => s["status"]?["readyToUse"]?.GetValue<bool>() == true, "readyToUse");
        Assert.Equal("1Gi", snapshot["status"]!["restoreSize"]!.GetValue<string>());
        Assert.Equal(HealthStatusCode.Healthy, Health.Assess(snapshot)!.Status);
        var content = await cluster.GetAsync(Resources.VolumeSnapshotContents, null, snapshot["status"]!["boundVolumeSnapshotContentName"]!.GetValue<string>());
        Assert.Equal(PortworxTopology.Driver, content["spec"]!["driver"]!.GetValue<string>());
        // Writes after the snapshot do not reach it.
        Assert.Equal(0, (await cluster.ExecAsync(ns, "writer", "write", "/data/state.txt", "after the snapshot")).Exit);
        await cluster.ApplyAsync(ns, """
            apiVersion: v1
            kind: PersistentVolumeClaim
            metadata: {name: restored}
            spec:
              storageClassName: px-csi-db
              accessModes: [ReadWriteOnce]
              dataSource: {name: snap, kind: VolumeSnapshot, apiGroup: snapshot.storage.k8s.io}
              resources: {requests: {storage: 1Gi}}
            """ + "\n---\n" + PodMounting("reader", "restored", "/restore"));
        await cluster.WaitForAsync(Resources.Pods, ns, "reader", p => WorkloadSimulationTests.Condition(p, "Ready") == "True", "Ready");
        var read = await cluster.ExecAsync(ns, "reader", "read", "/restore/state.txt");
        Assert.True(read.Exit == 0, read.Err);
        Assert.Equal("before the snapshot", read.Out);
        Assert.Equal("after the snapshot", (await cluster.ExecAsync(ns, "writer", "read", "/data/state.txt")).Out);
    }

    [Fact]
    public async Task A_statefulset_with_claim_templates_becomes_ready_only_after_its_claims_bind()
    {
        await cluster.EnsurePortworxAsync();
        var ns = await cluster.NamespaceAsync("sts");
        var className = $"px-late-{ns}";
        await cluster.ApplyAsync(ns, $$$"""
            apiVersion: apps/v1
            kind: StatefulSet
            metadata: {name: postgres}
            spec:
              replicas: 2
              serviceName: postgres
              selector: {matchLabels: {app: postgres}}
              template:
                metadata: {labels: {app: postgres}}
                spec:
                  containers: [{name: postgres, image: "postgres:14.1-alpine", volumeMounts: [{name: pgdata, mountPath: /var/lib/postgresql/data}]}]
              volumeClaimTemplates:
              - metadata: {name: pgdata}
                spec:
                  storageClassName: {{{className}}}
                  accessModes: [ReadWriteOnce]
                  resources: {requests: {storage: 1Gi}}
            """);
        // The class does not exist yet: the claim stays Pending, so does the pod, and the set is not Ready.
        await cluster.WaitForAsync(Resources.PersistentVolumeClaims, ns, "pgdata-postgres-0", c => c["status"]?["phase"]?.GetValue<string>() == "Pending", "Pending");
        var pending = await cluster.WaitForEventAsync(ns, "postgres-0", "FailedScheduling");
        Assert.Contains("pod has unbound immediate PersistentVolumeClaims", pending, StringComparison.Ordinal);
        var sts = await cluster.GetAsync(Resources.StatefulSets, ns, "postgres");
        Assert.Equal(HealthStatusCode.Progressing, Health.Assess(sts)!.Status);
        Assert.Null(await cluster.Client.GetAsync(Resources.Pods, ns, "postgres-1"));
        await cluster.ApplyAsync(ns, $$$"""
            apiVersion: storage.k8s.io/v1
            kind: StorageClass
            metadata: {name: {{{className}}}}
            provisioner: pxd.portworx.com
            parameters: {repl: "2", io_profile: db_remote, priority_io: high}
            allowVolumeExpansion: true
            """);
        sts = await cluster.WaitForAsync(Resources.StatefulSets, ns, "postgres", s => Health.Assess(s)?.Status == HealthStatusCode.Healthy, "Healthy", 90);
        Assert.Equal(2, sts["status"]!["readyReplicas"]!.GetValue<long>());
        foreach (var claim in new[] { "pgdata-postgres-0", "pgdata-postgres-1" })
        {
            Assert.Equal("Bound", (await cluster.GetAsync(Resources.PersistentVolumeClaims, ns, claim))["status"]!["phase"]!.GetValue<string>());
        }
        // Expansion: the claim grows, and so does its volume.
        await cluster.Client.PatchAsync(Resources.PersistentVolumeClaims, ns, "pgdata-postgres-0", Mcg.Kube.Client.PatchType.Merge,
            JsonNode.Parse("""{"spec":{"resources":{"requests":{"storage":"3Gi"}}}}""")!);
        await cluster.WaitForAsync(Resources.PersistentVolumeClaims, ns, "pgdata-postgres-0", c => c["status"]?["capacity"]?["storage"]?.GetValue<string>() == "3Gi", "expanded");
    }

    [Fact]
    public async Task Failing_a_node_keeps_repl_3_data_readable_after_the_pod_is_rescheduled()
    {
        await cluster.EnsurePortworxAsync();
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
                  containers: [{name: db, image: postgres, volumeMounts: [{name: data, mountPath: /var/lib/db}]}]
              volumeClaimTemplates:
              - metadata: {name: data}
                spec:
                  storageClassName: px-csi-db
                  accessModes: [ReadWriteOnce]
                  resources: {requests: {storage: 1Gi}}
            """);
        await cluster.WaitForAsync(Resources.StatefulSets, ns, "db", s => Health.Assess(s)?.Status == HealthStatusCode.Healthy, "Healthy", 90);
        var write = await cluster.ExecAsync(ns, "db-0", "write", "/var/lib/db/ledger", "42 rows");
        Assert.True(write.Exit == 0, write.Err);
        var before = await cluster.GetAsync(Resources.Pods, ns, "db-0");
        var node = before["spec"]!["nodeName"]!.GetValue<string>();
        Assert.Equal(0, (await cluster.McgAsync("cluster", "node", "fail", node)).Exit);
        try
        {
            var after = await cluster.WaitForAsync(Resources.Pods, ns, "db-0",
                p => p["metadata"]!["uid"]!.ToString() != before["metadata"]!["uid"]!.ToString() && WorkloadSimulationTests.Condition(p, "Ready") == "True",
                "rescheduled and Ready", 90);
            Assert.NotEqual(node, after["spec"]!["nodeName"]!.GetValue<string>());
            var read = await cluster.ExecAsync(ns, "db-0", "read", "/var/lib/db/ledger");
            Assert.True(read.Exit == 0, read.Err);
            Assert.Equal("42 rows", read.Out);
            var storageNode = await cluster.GetAsync(Resources.StorageNodes, "portworx", node);
            Assert.Equal("Offline", storageNode["status"]!["phase"]!.GetValue<string>());
            Assert.Equal(HealthStatusCode.Degraded, Health.Assess(storageNode)!.Status);
            // Quorum holds with 3 of 4 storage nodes: the cluster stays Running.
            Assert.Equal("Running", (await cluster.GetAsync(Resources.StorageClusters, "portworx", "px-cluster-test"))["status"]!["phase"]!.GetValue<string>());
        }
        finally
        {
            await cluster.McgAsync("cluster", "node", "recover", node);
        }
        await cluster.WaitForAsync(Resources.StorageNodes, "portworx", node, n => n["status"]?["phase"]?.GetValue<string>() == "Online", "Online again");
        await cluster.WaitForAsync(Resources.Nodes, null, node, n => WorkloadSimulationTests.Condition(n, "Ready") == "True", "Ready again");
    }

    [Fact]
    public async Task A_repl_1_volume_on_a_failed_node_leaves_its_pod_failing_with_a_clear_event()
    {
        await cluster.EnsurePortworxAsync();
        var ns = await cluster.NamespaceAsync("repl1");
        await cluster.ApplyAsync(ns, $$$"""
            apiVersion: storage.k8s.io/v1
            kind: StorageClass
            metadata: {name: px-r1-{{{ns}}}}
            provisioner: pxd.portworx.com
            parameters: {repl: "1"}
            """);
        await cluster.ApplyAsync(ns, Claim("single", $"px-r1-{ns}", "1Gi"));
        var pvc = await cluster.WaitForAsync(Resources.PersistentVolumeClaims, ns, "single", c => c["status"]?["phase"]?.GetValue<string>() == "Bound", "Bound");
        var pv = await cluster.GetAsync(Resources.PersistentVolumes, null, pvc["spec"]!["volumeName"]!.GetValue<string>());
        var replica = Assert.Single(PortworxTopology.ReplicaNodes(pv));
        // Prefer the replica's node, as Stork's hyperconvergence would.
        await cluster.ApplyAsync(ns, $$$"""
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: app}
            spec:
              replicas: 1
              selector: {matchLabels: {app: single}}
              template:
                metadata: {labels: {app: single}}
                spec:
                  affinity:
                    nodeAffinity:
                      preferredDuringSchedulingIgnoredDuringExecution:
                      - weight: 100
                        preference: {matchExpressions: [{key: kubernetes.io/hostname, operator: In, values: [{{{replica}}}]}]}
                  containers: [{name: app, image: busybox, volumeMounts: [{name: data, mountPath: /data}]}]
                  volumes: [{name: data, persistentVolumeClaim: {claimName: single}}]
            """);
        await cluster.WaitForAsync(Resources.Deployments, ns, "app", d => Health.Assess(d)?.Status == HealthStatusCode.Healthy, "Healthy");
        var first = (await cluster.Client.ListAsync(Resources.Pods, ns)).Items.Single();
        Assert.Equal(replica, first["spec"]!["nodeName"]!.GetValue<string>());
        Assert.Equal(0, (await cluster.McgAsync("cluster", "node", "fail", replica)).Exit);
        try
        {
            JsonObject? replacement = null;
            await Eventually.TrueAsync(async () =>
            {
                replacement = (await cluster.Client.ListAsync(Resources.Pods, ns)).Items
                    .FirstOrDefault(p => p["metadata"]!["uid"]!.ToString() != first["metadata"]!["uid"]!.ToString() && p["spec"]?["nodeName"] is not null);
                return replacement is not null;
            }, "a replacement pod is scheduled", TimeSpan.FromSeconds(60));
            var name = replacement!["metadata"]!["name"]!.GetValue<string>();
            var message = await cluster.WaitForEventAsync(ns, name, "FailedAttachVolume");
            Assert.Equal($"AttachVolume.Attach failed for volume \"{pv["metadata"]!["name"]}\" : rpc error: code = Unavailable desc = failed to attach volume {pv["spec"]!["csi"]!["volumeHandle"]} ({pv["metadata"]!["name"]}): its only replica is on node {replica}, which is offline (repl 1)", message);
            var pod = await cluster.GetAsync(Resources.Pods, ns, name);
            Assert.Equal("Pending", pod["status"]!["phase"]!.GetValue<string>());
            Assert.Equal(HealthStatusCode.Progressing, Health.Assess(await cluster.GetAsync(Resources.Deployments, ns, "app"))!.Status);
        }
        finally
        {
            await cluster.McgAsync("cluster", "node", "recover", replica);
        }
        // With its replica back, the volume attaches and the app recovers.
        await cluster.WaitForAsync(Resources.Deployments, ns, "app", d => Health.Assess(d)?.Status == HealthStatusCode.Healthy, "Healthy again", 90);
        await cluster.WaitForAsync(Resources.StorageNodes, "portworx", replica, n => n["status"]?["phase"]?.GetValue<string>() == "Online", "Online again");
    }

    [Fact]
    public async Task A_sharedv4_claim_is_mounted_on_several_nodes_while_a_plain_one_attaches_to_one()
    {
        await cluster.EnsurePortworxAsync();
        var ns = await cluster.NamespaceAsync("shared");
        // The pattern's portworx-demo class, wave 2.
        await cluster.ApplyAsync(ns, $$$"""
            apiVersion: storage.k8s.io/v1
            kind: StorageClass
            metadata: {name: px-csi-db-shared-{{{ns}}}}
            provisioner: pxd.portworx.com
            parameters: {io_profile: db_remote, repl: "3", sharedv4: "true", sharedv4_svc_type: ClusterIP}
            reclaimPolicy: Delete
            volumeBindingMode: Immediate
            allowVolumeExpansion: true
            ---
            apiVersion: v1
            kind: PersistentVolumeClaim
            metadata: {name: shared}
            spec:
              storageClassName: px-csi-db-shared-{{{ns}}}
              accessModes: [ReadWriteMany]
              resources: {requests: {storage: 1Gi}}
            """);
        await cluster.ApplyAsync(ns, Claim("plain", "px-csi-replicated", "1Gi"));
        foreach (var (pod, node, claim) in new[] { ("writer", "worker-1", "shared"), ("reader", "worker-2", "shared"), ("first", "worker-3", "plain"), ("second", "worker-4", "plain") })
        {
            await cluster.ApplyAsync(ns, PodMounting(pod, claim, "/mnt").Replace("spec:", $"spec:\n  nodeName: {node}", StringComparison.Ordinal));
            if (pod == "first")
            {
                await cluster.WaitForAsync(Resources.Pods, ns, "first", p => WorkloadSimulationTests.Condition(p, "Ready") == "True", "Ready");
            }
        }
        await cluster.WaitForAsync(Resources.Pods, ns, "writer", p => WorkloadSimulationTests.Condition(p, "Ready") == "True", "Ready");
        await cluster.WaitForAsync(Resources.Pods, ns, "reader", p => WorkloadSimulationTests.Condition(p, "Ready") == "True", "Ready");
        Assert.Equal(0, (await cluster.ExecAsync(ns, "writer", "append", "/mnt/shared.log", "line 1")).Exit);
        Assert.Equal("line 1", (await cluster.ExecAsync(ns, "reader", "read", "/mnt/shared.log")).Out);
        var pv = await cluster.GetAsync(Resources.PersistentVolumes, null, (await cluster.GetAsync(Resources.PersistentVolumeClaims, ns, "shared"))["spec"]!["volumeName"]!.GetValue<string>());
        Assert.Equal("true", pv["spec"]!["csi"]!["volumeAttributes"]!["sharedv4"]!.GetValue<string>());
        var message = await cluster.WaitForEventAsync(ns, "second", "FailedAttachVolume");
        Assert.Contains("is already attached on node worker-3 and is not shared (sharedv4)", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Exec_answers_like_a_shell_for_missing_files_paths_off_volumes_and_pods_not_running()
    {
        await cluster.EnsurePortworxAsync();
        var ns = await cluster.NamespaceAsync("exec");
        await cluster.ApplyAsync(ns, Claim("vol", "px-csi-replicated", "1Gi") + "\n---\n" + PodMounting("box", "vol", "/data") + "\n---\n" + PodMounting("stuck", "nothing", "/data"));
        await cluster.WaitForAsync(Resources.Pods, ns, "box", p => WorkloadSimulationTests.Condition(p, "Ready") == "True", "Ready");
        var missing = await cluster.ExecAsync(ns, "box", "read", "/data/none");
        Assert.Equal((1, "cat: /data/none: No such file or directory\n"), (missing.Exit, missing.Err));
        var offVolume = await cluster.ExecAsync(ns, "box", "write", "/tmp/x", "y");
        Assert.Equal((1, "/tmp/x: not on a mounted volume of the container\n"), (offVolume.Exit, offVolume.Err));
        Assert.Equal(0, (await cluster.ExecAsync(ns, "box", "write", "/data/dir/a", "1")).Exit);
        Assert.Equal(0, (await cluster.ExecAsync(ns, "box", "append", "/data/dir/a", "2")).Exit);
        Assert.Equal("12", (await cluster.ExecAsync(ns, "box", "read", "/data/dir/a")).Out);
        Assert.Equal("a\n", (await cluster.ExecAsync(ns, "box", "ls", "/data/dir")).Out);
        var notRunning = await cluster.ExecAsync(ns, "stuck", "read", "/data/a");
        Assert.Equal(1, notRunning.Exit);
        Assert.Contains("unable to upgrade connection: container not found (\"main\")", notRunning.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wait_for_first_consumer_claim_is_provisioned_on_its_pods_node_once_the_pod_is_scheduled()
    {
        await cluster.EnsurePortworxAsync();
        var ns = await cluster.NamespaceAsync("wffc");
        await cluster.ApplyAsync(ns, $$$"""
            apiVersion: storage.k8s.io/v1
            kind: StorageClass
            metadata: {name: px-local-{{{ns}}}}
            provisioner: pxd.portworx.com
            parameters: {repl: "1"}
            volumeBindingMode: WaitForFirstConsumer
            """);
        await cluster.ApplyAsync(ns, Claim("late", $"px-local-{ns}", "1Gi"));
        Assert.Equal("waiting for first consumer to be created before binding", await cluster.WaitForEventAsync(ns, "late", "WaitForFirstConsumer"));
        Assert.Equal("Pending", (await cluster.GetAsync(Resources.PersistentVolumeClaims, ns, "late"))["status"]!["phase"]!.GetValue<string>());
        await cluster.ApplyAsync(ns, PodMounting("consumer", "late", "/data"));
        var pod = await cluster.WaitForAsync(Resources.Pods, ns, "consumer", p => WorkloadSimulationTests.Condition(p, "Ready") == "True", "Ready");
        var pvc = await cluster.GetAsync(Resources.PersistentVolumeClaims, ns, "late");
        Assert.Equal(pod["spec"]!["nodeName"]!.GetValue<string>(), pvc["metadata"]!["annotations"]!["volume.kubernetes.io/selected-node"]!.GetValue<string>());
        var pv = await cluster.GetAsync(Resources.PersistentVolumes, null, pvc["spec"]!["volumeName"]!.GetValue<string>());
        Assert.Equal([pod["spec"]!["nodeName"]!.GetValue<string>()], PortworxTopology.ReplicaNodes(pv));
    }

    private static string Claim(string name, string storageClass, string size) => $$$"""
        apiVersion: v1
        kind: PersistentVolumeClaim
        metadata: {name: {{{name}}}}
        spec:
          storageClassName: {{{storageClass}}}
          accessModes: [ReadWriteOnce]
          resources: {requests: {storage: {{{size}}}}}
        """;

    private static string PodMounting(string name, string claim, string path) => $$$"""
        apiVersion: v1
        kind: Pod
        metadata: {name: {{{name}}}}
        spec:
          restartPolicy: Always
          containers: [{name: main, image: busybox, volumeMounts: [{name: vol, mountPath: {{{path}}}}]}]
          volumes: [{name: vol, persistentVolumeClaim: {claimName: {{{claim}}}}}]
        """;
}
