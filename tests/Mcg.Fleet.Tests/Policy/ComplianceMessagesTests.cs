using Mcg.Fleet.Policy;
using Mcg.Kube.Client;

namespace Mcg.Fleet.Tests.Policy;

public class ComplianceMessagesTests
{
    private static TemplateCondition Compose(string resource, params (string Ns, string[] Names, EvaluationEvent Event)[] results) =>
        ComplianceMessages.Compose(resource, results.Select(r => (r.Ns, (IReadOnlyList<string>)r.Names, r.Event)).ToList());

    [Fact]
    public void FoundAsSpecified()
    {
        var condition = Compose("namespaces", ("", ["prod"], new EvaluationEvent(true, EvaluationReasons.WantFoundExists)));
        Assert.True(condition.Compliant);
        Assert.Equal("notification", condition.Type);
        Assert.Equal("K8s `must have` object already exists", condition.Reason);
        Assert.Equal("namespaces [prod] found as specified, therefore this Object template is compliant", condition.Message);
    }

    [Fact]
    public void NotFound()
    {
        var condition = Compose("namespaces", ("", ["prod"], new EvaluationEvent(false, EvaluationReasons.WantFoundDNE)));
        Assert.False(condition.Compliant);
        Assert.Equal("violation", condition.Type);
        Assert.Equal("K8s does not have a `must have` object", condition.Reason);
        Assert.Equal("namespaces [prod] not found", condition.Message);
    }

    [Fact]
    public void FoundButNotAsSpecifiedInNamespace()
    {
        var condition = Compose("configmaps", ("default", ["x"], new EvaluationEvent(false, EvaluationReasons.WantFoundNoMatch)));
        Assert.Equal("configmaps [x] found but not as specified in namespace default", condition.Message);
    }

    [Fact]
    public void EnforcementMessages()
    {
        Assert.Equal("namespaces [prod] was created successfully",
            Compose("namespaces", ("", ["prod"], new EvaluationEvent(true, EvaluationReasons.WantFoundCreated))).Message);
        Assert.Equal("configmaps [x] was updated successfully in namespace default",
            Compose("configmaps", ("default", ["x"], new EvaluationEvent(true, EvaluationReasons.UpdateSuccess))).Message);
        Assert.Equal("configmaps [x] was deleted successfully in namespace default",
            Compose("configmaps", ("default", ["x"], new EvaluationEvent(true, EvaluationReasons.DeleteSuccess))).Message);
    }

    [Fact]
    public void MustNotHaveMessages()
    {
        Assert.Equal("configmaps [x] missing as expected in namespace default, therefore this Object template is compliant",
            Compose("configmaps", ("default", ["x"], new EvaluationEvent(true, EvaluationReasons.WantNotFoundDNE))).Message);
        Assert.Equal("configmaps [x] found in namespace default",
            Compose("configmaps", ("default", ["x"], new EvaluationEvent(false, EvaluationReasons.WantNotFoundExists))).Message);
    }

    [Fact]
    public void NamespacesWithTheSameNamesAreReportedTogether()
    {
        var condition = Compose("pods",
            ("n3", ["p"], new EvaluationEvent(true, EvaluationReasons.WantFoundExists)),
            ("n1", ["p"], new EvaluationEvent(true, EvaluationReasons.WantFoundExists)),
            ("n2", ["q"], new EvaluationEvent(true, EvaluationReasons.WantFoundExists)));
        Assert.Equal("pods [p] found as specified in namespaces: n1, n3, therefore this Object template is compliant; "
            + "pods [q] found as specified in namespace n2, therefore this Object template is compliant", condition.Message);
    }

    [Fact]
    public void OnlyNoncompliantResultsAreReportedWhenThereAreAny()
    {
        var condition = Compose("configmaps",
            ("a", ["c"], new EvaluationEvent(true, EvaluationReasons.WantFoundExists)),
            ("b", ["c"], new EvaluationEvent(false, EvaluationReasons.WantFoundDNE)),
            ("c", ["c"], new EvaluationEvent(false, EvaluationReasons.WantFoundNoMatch)));
        Assert.False(condition.Compliant);
        Assert.Equal("configmaps [c] not found in namespace b; configmaps [c] found but not as specified in namespace c", condition.Message);
        Assert.Equal("K8s does not have a `must have` object; K8s does not have a `must have` object", condition.Reason);
    }

    [Fact]
    public void UnnamedTemplatesWithoutMatchesHaveNoNames()
    {
        Assert.Equal("configmaps not found in namespaces: a, b",
            Compose("configmaps", ("a", [], new EvaluationEvent(false, EvaluationReasons.WantFoundDNE)),
                ("b", [], new EvaluationEvent(false, EvaluationReasons.WantFoundDNE))).Message);
    }

    [Fact]
    public void ErrorsKeepTheirMessage()
    {
        var condition = Compose("configmaps", ("", [], new EvaluationEvent(false, "K8s missing namespace",
            "namespaced object cm of kind ConfigMap has no namespace specified from the policy namespaceSelector nor the object metadata")));
        Assert.Equal("K8s missing namespace", condition.Reason);
        Assert.Equal("namespaced object cm of kind ConfigMap has no namespace specified from the policy namespaceSelector nor the object metadata",
            condition.Message);
    }

    [Fact]
    public void PolicyMessageHasTheStateAndEveryTemplate()
    {
        Assert.Equal("Compliant; notification - namespaces [prod] found as specified, therefore this Object template is compliant",
            ComplianceMessages.ForPolicy([new TemplateCondition(true, "r", "namespaces [prod] found as specified, therefore this Object template is compliant")]));
        Assert.Equal("NonCompliant; violation - a; notification - b",
            ComplianceMessages.ForPolicy([new TemplateCondition(false, "r", "a"), new TemplateCondition(true, "r", "b")]));
    }

    [Fact]
    public void EnforcementStepsBecomeSeparateConditions()
    {
        var evaluation = new TemplateEvaluation(ResourceRef.Namespaces, false,
            [new ObjectResult("", ["prod"], [new EvaluationEvent(false, EvaluationReasons.WantFoundDNE), new EvaluationEvent(true, EvaluationReasons.WantFoundCreated)])]);
        Assert.Equal(["namespaces [prod] not found", "namespaces [prod] was created successfully"], evaluation.Conditions().Select(c => c.Message));
    }

    [Fact]
    public void ComplianceStatesCombineAsUpstream()
    {
        Assert.Null(ComplianceStates.Aggregate([]));
        Assert.Equal("Compliant", ComplianceStates.Aggregate(["Compliant", "Compliant"]));
        Assert.Equal("NonCompliant", ComplianceStates.Aggregate(["Compliant", "Pending", "NonCompliant", null]));
        Assert.Equal("Pending", ComplianceStates.Aggregate(["Compliant", "Pending", null]));
        Assert.Null(ComplianceStates.Aggregate(["Compliant", null]));
        Assert.Equal("NonCompliant", ComplianceStates.FromMessage("NonCompliant; violation - x"));
        Assert.Equal("Compliant", ComplianceStates.FromMessage("compliant; notification - x"));
        Assert.Null(ComplianceStates.FromMessage("something else"));
    }
}
