using Mcg.Fleet.Policy;
using Mcg.Kube.Objects;
using static Mcg.Fleet.Tests.Policy.Json;

namespace Mcg.Fleet.Tests.Policy;

public class SelectorAndScheduleTests
{
    private static readonly (string, IReadOnlyDictionary<string, string>)[] Namespaces =
    [
        ("default", new Dictionary<string, string>()),
        ("kube-system", new Dictionary<string, string>()),
        ("prod-1", new Dictionary<string, string> { ["env"] = "prod" }),
        ("prod-2", new Dictionary<string, string> { ["env"] = "prod" }),
        ("dev-1", new Dictionary<string, string> { ["env"] = "dev" }),
    ];

    [Theory]
    [InlineData("prod-*", "prod-1", true)]
    [InlineData("prod-*", "prod", false)]
    [InlineData("prod-?", "prod-12", false)]
    [InlineData("prod-[0-9]", "prod-7", true)]
    [InlineData("prod-[^0-9]", "prod-7", false)]
    [InlineData("prod-[^0-9]", "prod-x", true)]
    [InlineData("*", "anything", true)]
    [InlineData("kube-\\*", "kube-*", true)]
    [InlineData("kube-\\*", "kube-system", false)]
    public void GlobPatternsMatchLikeGo(string pattern, string name, bool matches) =>
        Assert.Equal(matches, GlobPattern.Parse(pattern).IsMatch(name));

    [Theory]
    [InlineData("*-[a-z-*")]
    [InlineData("[]")]
    [InlineData("a\\")]
    public void MalformedPatternsAreErrors(string pattern) =>
        Assert.Equal("syntax error in pattern", Assert.Throws<FormatException>(() => GlobPattern.Parse(pattern)).Message);

    [Fact]
    public void IncludeAndExclude()
    {
        var selector = NamespaceSelector.Parse(Obj("{'include':['*'],'exclude':['kube-*','dev-*']}"));
        Assert.Equal(["default", "prod-1", "prod-2"], selector.Select(Namespaces));
    }

    [Fact]
    public void LabelSelectorWithoutIncludeSelectsItsNamespaces()
    {
        Assert.Equal(["prod-1", "prod-2"], NamespaceSelector.Parse(Obj("{'matchLabels':{'env':'prod'}}")).Select(Namespaces));
        Assert.Equal(["prod-2"], NamespaceSelector.Parse(Obj("{'matchExpressions':[{'key':'env','operator':'Exists'}],'include':['*-2']}")).Select(Namespaces));
    }

    [Fact]
    public void AnEmptySelectorSelectsNothing()
    {
        Assert.Empty(NamespaceSelector.Parse(null).Select(Namespaces));
        Assert.Empty(NamespaceSelector.Parse(Obj("{'exclude':['kube-*']}")).Select(Namespaces));
    }

    [Fact]
    public void SelectorErrorsNameThePattern()
    {
        var error = Assert.Throws<FormatException>(() => NamespaceSelector.Parse(Obj("{'include':['*-[a-z-*']}")));
        Assert.Equal("error parsing 'include' pattern '*-[a-z-*': syntax error in pattern", error.Message);
        Assert.StartsWith("error parsing namespace LabelSelector: ",
            Assert.Throws<FormatException>(() => NamespaceSelector.Parse(Obj("{'matchExpressions':[{'key':'a','operator':'Seriously'}]}"))).Message);
    }

    [Theory]
    [InlineData("10s", 10_000)]
    [InlineData("1m30s", 90_000)]
    [InlineData("1.5h", 5_400_000)]
    [InlineData("250ms", 250)]
    [InlineData("2h45m", 9_900_000)]
    public void GoDurations(string text, long milliseconds)
    {
        Assert.True(GoDuration.TryParse(text, out var duration));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), duration);
    }

    [Theory]
    [InlineData("")]
    [InlineData("10")]
    [InlineData("ten seconds")]
    [InlineData("5d")]
    public void InvalidGoDurations(string text) => Assert.False(GoDuration.TryParse(text, out _));

    [Fact]
    public void EvaluationIntervals()
    {
        var fallback = TimeSpan.FromSeconds(10);
        Assert.Equal(new EvaluationSchedule(EvaluationMode.Periodic, TimeSpan.FromMinutes(2)), EvaluationSchedule.Parse("2m", fallback));
        Assert.Equal(EvaluationMode.Never, EvaluationSchedule.Parse("never", fallback).Mode);
        Assert.Equal(EvaluationMode.Watch, EvaluationSchedule.Parse("Watch", fallback).Mode);
        Assert.Equal(new EvaluationSchedule(EvaluationMode.Periodic, fallback), EvaluationSchedule.Parse(null, fallback));
        Assert.Equal(new EvaluationSchedule(EvaluationMode.Periodic, fallback), EvaluationSchedule.Parse("soon", fallback));

        var policy = ConfigurationPolicyDefinition.Parse(Obj("""
            {'apiVersion':'policy.open-cluster-management.io/v1','kind':'ConfigurationPolicy','metadata':{'name':'p'},
             'spec':{'remediationAction':'Enforce','evaluationInterval':{'compliant':'1h','noncompliant':'never'},'object-templates':[]}}
            """), fallback);
        Assert.Equal(RemediationAction.Enforce, policy.RemediationAction);
        Assert.Equal(TimeSpan.FromHours(1), policy.ScheduleFor(true).Interval);
        Assert.Equal(EvaluationMode.Never, policy.ScheduleFor(false).Mode);
        Assert.Equal(EvaluationMode.Never, policy.ScheduleFor(null).Mode);
    }

    [Fact]
    public void PolicyEnumsAreCaseInsensitive()
    {
        Assert.Equal(ComplianceType.MustOnlyHave, PolicyEnums.ParseComplianceType("MustOnlyHave"));
        Assert.Equal(ComplianceType.MustNotHave, PolicyEnums.ParseComplianceType("mustnothave"));
        Assert.Null(PolicyEnums.ParseComplianceType("mayhave"));
        Assert.Equal(RemediationAction.Inform, PolicyEnums.ParseRemediationAction("INFORM"));
        Assert.Equal(RemediationAction.Inform, PolicyEnums.ParseRemediationAction("informOnly"));
        Assert.Null(PolicyEnums.ParseRemediationAction(""));
    }

    [Fact]
    public void InvalidTemplatesAreReported()
    {
        var missingAction = ConfigurationPolicyDefinition.Parse(Obj("{'kind':'ConfigurationPolicy','metadata':{'name':'p'},'spec':{'object-templates':[]}}"),
            TimeSpan.FromSeconds(10));
        Assert.Equal("Policy does not have a RemediationAction specified", missingAction.Error);
        var badType = ConfigurationPolicyDefinition.Parse(Obj("""
            {'kind':'ConfigurationPolicy','metadata':{'name':'p'},'spec':{'remediationAction':'inform',
             'object-templates':[{'complianceType':'mayhave','objectDefinition':{'apiVersion':'v1','kind':'Namespace'}}]}}
            """), TimeSpan.FromSeconds(10));
        Assert.Contains("invalid complianceType \"mayhave\"", badType.Error);
    }

    [Theory]
    [InlineData("1Gi", "1073741824")]
    [InlineData("500m", "0.5")]
    [InlineData("1e3", "1000")]
    [InlineData("2k", "2000")]
    [InlineData("1.5Mi", "1572864")]
    public void Quantities(string text, string value)
    {
        Assert.True(Quantity.TryParse(text, out var parsed));
        Assert.Equal(decimal.Parse(value, System.Globalization.CultureInfo.InvariantCulture), parsed);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("1Xi")]
    [InlineData("")]
    public void NotQuantities(string text) => Assert.False(Quantity.TryParse(text, out _));
}
