using Mcg.Patterns.Tests.Support;
using Mcg.Patterns.Values;

namespace Mcg.Patterns.Tests.Values;

/// <summary>Map and list forms, disabled entries, layering and errors, on synthetic repositories.</summary>
public class SyntheticParsingTests
{
    private const string Global = """
        global:
          pattern: demo
          options:
            syncPolicy: Automatic
            installPlanApproval: Manual
        main:
          clusterGroupName: hub
        """;

    private static PatternValues Read(string hub, params (string, string)[] more) =>
        PatternValues.Read(Fixtures.Repository([("values-global.yaml", Global), ("values-hub.yaml", hub), .. more]), null, Fixtures.Hub());

    private const string MapForm = """
        clusterGroup:
          name: hub
          namespaces:
            a:
            b:
              labels: {team: x}
              annotations: {note: y}
              operatorGroup: false
            c:
              disabled: true
          subscriptions:
            one: {name: op-one, namespaces: [a, b], source: community-operators, csv: op-one.v1}
            two: {name: op-two, disabled: true}
          argoProjects: [p1]
          applications:
            app1: {name: app1, namespace: a, argoProject: p1, path: apps/one}
            app2: {name: app2, path: apps/two, disabled: true}
            app3:
          managedClusterGroups:
            east: {name: east, acmlabels: [{name: region, value: east}]}
        """;

    private const string ListForm = """
        clusterGroup:
          name: hub
          namespaces:
            - a
            - b:
                labels: {team: x}
                annotations: {note: y}
                operatorGroup: false
            - c:
                disabled: true
            -
          subscriptions:
            - {name: op-one, namespaces: [a, b], source: community-operators, csv: op-one.v1}
            - {name: op-two, disabled: true}
          argoProjects: [p1]
          applications:
            - {name: app1, namespace: a, argoProject: p1, path: apps/one}
            - {name: app2, path: apps/two, disabled: true}
            -
          managedClusterGroups:
            - {name: east, acmlabels: [{name: region, value: east}]}
        """;

    [Theory]
    [InlineData(MapForm)]
    [InlineData(ListForm)]
    public void MapAndListFormsReadTheSame(string hub)
    {
        var g = Read(hub).ClusterGroup;
        Assert.Equal(["a", "b"], g.Namespaces.Select(n => n.Name));
        Assert.Equal("x", g.Namespaces[1].Labels["team"]);
        Assert.Equal("y", g.Namespaces[1].Annotations["note"]);
        Assert.False(g.Namespaces[1].OperatorGroup);
        var sub = Assert.Single(g.Subscriptions);
        Assert.Equal(["a", "b"], sub.Namespaces);
        Assert.Equal(("community-operators", "openshift-marketplace", "op-one.v1"), (sub.Source, sub.SourceNamespace, sub.Csv));
        var app = Assert.Single(g.Applications);
        Assert.Equal(("app1", "a", "p1", "apps/one"), (app.Name, app.Namespace, app.Project, app.Path));
        var mcg = Assert.Single(g.ManagedClusterGroups);
        Assert.Equal([KeyValuePair.Create("region", "east")], mcg.AcmLabels);
    }

    [Fact]
    public void AProjectsMapAndDefaultsApply()
    {
        var g = Read("""
            clusterGroup:
              name: hub
              namespaces: []
              projects: {p1: {}, p2: {}}
              applications:
                x: {name: x, path: p}
              subscriptions:
                s: {name: s}
            """).ClusterGroup;
        Assert.Equal(["p1", "p2"], g.Projects);
        Assert.Equal("default", g.Applications[0].Project);
        Assert.Equal(["openshift-operators"], g.Subscriptions[0].Namespaces);
        Assert.Equal("redhat-operators", g.Subscriptions[0].Source);
        Assert.Equal(FormatGeneration.Legacy, g.Generation);
    }

    [Fact]
    public void LaterFilesDisableAndOverrideEntries()
    {
        // values-AWS.yaml is layered for an AWS cluster: it disables app1 and changes a namespace.
        var v = Read(MapForm, ("values-AWS.yaml", """
            clusterGroup:
              applications:
                app1:
                  disabled: true
                extra: {name: extra, path: apps/extra}
              namespaces:
                a: {labels: {added: "yes"}}
            """));
        Assert.Equal(["extra"], v.ClusterGroup.Applications.Select(a => a.Name));
        Assert.Equal("yes", v.ClusterGroup.Namespaces[0].Labels["added"]);
        Assert.Equal(["values-global.yaml", "values-hub.yaml", "values-AWS.yaml"], v.Document.Files);
    }

    [Theory]
    [InlineData("clusterGroup:\n  name: hub\n  applications:\n    a:\n      namespace: x\n      path: p\n",
        "values-hub.yaml: line 4: clusterGroup.applications.a.name: is required")]
    [InlineData("clusterGroup:\n  name: hub\n  applications:\n    - name: a\n      project: p\n",
        "values-hub.yaml: line 4: clusterGroup.applications[0]: needs a source: path or chart")]
    [InlineData("clusterGroup:\n  name: hub\n  namespaces: 5\n",
        "values-hub.yaml: line 3: clusterGroup.namespaces: must be a map or a list, not the number 5")]
    [InlineData("clusterGroup:\n  name: hub\n  applications:\n    a: {name: a, path: p, syncPolicy: Sometimes}\n",
        "values-hub.yaml: line 4: clusterGroup.applications.a.syncPolicy: must be Automatic, Manual or an Argo CD syncPolicy object, not \"Sometimes\"")]
    [InlineData("clusterGroup:\n  name: hub\n  managedClusterGroups:\n    g:\n      name: g\n      acmlabels:\n        - value: x\n",
        "values-hub.yaml: line 7: clusterGroup.managedClusterGroups.g.acmlabels[0].name: is required")]
    [InlineData("clusterGroup:\n  name: hub\n  imperative:\n    jobs:\n      a: {name: a}\n",
        "values-hub.yaml: line 4: clusterGroup.imperative.jobs: must be a list (a map loses the order the jobs run in)")]
    [InlineData("clusterGroup:\n  name: hub\n  namespaces:\n    a: {targetNamespaces: x}\n",
        "values-hub.yaml: line 4: clusterGroup.namespaces.a.targetNamespaces: must be a list of strings, not the string \"x\"")]
    [InlineData("clusterGroup:\n  name: hub\n  isHubCluster: maybe\n",
        "values-hub.yaml: line 3: clusterGroup.isHubCluster: must be true or false, not the string \"maybe\"")]
    [InlineData("clusterGroup: [1]\n",
        "values-hub.yaml: line 1: clusterGroup: must be a map, not a list")]
    [InlineData("clusterGroup:\n  name: hub\n  name: again\n",
        "values-hub.yaml: line 3: Duplicate key name")]
    [InlineData("other: 1\n",
        "values-hub.yaml: clusterGroup is required")]
    public void ErrorsNameFileLineAndField(string hub, string message)
    {
        var e = Assert.Throws<ValuesException>(() => Read(hub));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void ErrorsNameTheFileTheValueCameFrom()
    {
        // The bad value comes from the later layer: the error names that file and its line.
        var e = Assert.Throws<ValuesException>(() => Read(MapForm, ("values-AWS.yaml", "clusterGroup:\n  applications:\n    app1:\n      overrides: {a: b}\n")));
        Assert.Equal("values-AWS.yaml: line 4: clusterGroup.applications.app1.overrides: must be a list, not a map", e.Message);
        var g = Assert.Throws<ValuesException>(() => PatternValues.Read(Fixtures.Repository(("values-global.yaml", "global:\n  options: {}\nmain:\n  clusterGroupName: hub\n")), null, Fixtures.Hub()));
        Assert.Equal("values-global.yaml: line 1: global.pattern: is required", g.Message);
        var missing = Assert.Throws<ValuesException>(() => PatternValues.Read(Fixtures.Repository(("values-global.yaml", Global)), "nope", Fixtures.Hub()));
        Assert.Equal("values-nope.yaml: not found in the pattern repository", missing.Message);
    }
}
