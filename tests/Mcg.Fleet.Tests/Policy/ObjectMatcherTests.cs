using Mcg.Fleet.Policy;
using static Mcg.Fleet.Tests.Policy.Json;

namespace Mcg.Fleet.Tests.Policy;

public class ObjectMatcherTests
{
    private static readonly string LiveConfigMap = """
        {'apiVersion':'v1','kind':'ConfigMap',
         'metadata':{'name':'x','namespace':'default','uid':'u1','resourceVersion':'7','labels':{'app':'web','team':'a'},
                     'annotations':{'kubectl.kubernetes.io/last-applied-configuration':'{}','note':'n'}},
         'data':{'a':'1','b':'2'}}
        """;

    [Fact]
    public void MustHave_MatchesWhenTheGivenFieldsArePresent()
    {
        var result = ObjectMatcher.Compare(Obj("{'apiVersion':'v1','kind':'ConfigMap','metadata':{'name':'x','labels':{'app':'web'}},'data':{'a':'1'}}"),
            Obj(LiveConfigMap), ComplianceType.MustHave);
        Assert.True(result.Compliant);
        Assert.Empty(result.Differences);
    }

    [Fact]
    public void MustHave_ReportsDifferentValuesAndMergesThem()
    {
        var result = ObjectMatcher.Compare(Obj("{'apiVersion':'v1','kind':'ConfigMap','metadata':{'name':'x'},'data':{'a':'9','c':'3'}}"),
            Obj(LiveConfigMap), ComplianceType.MustHave);
        Assert.False(result.Matches);
        Assert.Equal(["data"], result.Differences);
        Assert.Equal(Obj("{'a':'9','b':'2','c':'3'}").ToJsonString(), result.Merged["data"]!.ToJsonString());
        Assert.Equal("7", result.Merged["metadata"]!["resourceVersion"]!.GetValue<string>());
    }

    [Fact]
    public void MustHave_ListItemsMustBePresentInAnyOrder()
    {
        var live = Obj("{'apiVersion':'v1','kind':'X','spec':{'items':['a','b','c']}}");
        Assert.True(ObjectMatcher.Compare(Obj("{'spec':{'items':['c','a']}}"), live, ComplianceType.MustHave).Matches);
        var missing = ObjectMatcher.Compare(Obj("{'spec':{'items':['a','d']}}"), live, ComplianceType.MustHave);
        Assert.False(missing.Matches);
        Assert.Equal("[\"a\",\"b\",\"c\",\"d\"]", missing.Merged["spec"]!["items"]!.ToJsonString());
    }

    [Fact]
    public void MustHave_ListItemsThatAreMapsMatchItemsContainingThem()
    {
        var live = Obj("""
            {'spec':{'containers':[{'name':'web','image':'nginx:1','ports':[{'containerPort':80,'protocol':'TCP'}]},{'name':'side','image':'busybox'}]}}
            """);
        Assert.True(ObjectMatcher.Compare(Obj("{'spec':{'containers':[{'name':'web','ports':[{'containerPort':80}]}]}}"), live,
            ComplianceType.MustHave).Matches);
        var changed = ObjectMatcher.Compare(Obj("{'spec':{'containers':[{'name':'web','image':'nginx:2'}]}}"), live, ComplianceType.MustHave);
        Assert.False(changed.Matches);
        // The unmatched template item is added; the live items stay.
        Assert.Equal(3, changed.Merged["spec"]!["containers"]!.AsArray().Count);
    }

    [Fact]
    public void MustHave_DuplicateItemsNeedAsManyLiveItems()
    {
        var live = Obj("{'list':['a']}");
        Assert.False(ObjectMatcher.Compare(Obj("{'list':['a','a']}"), live, ComplianceType.MustHave).Matches);
    }

    [Fact]
    public void MustHave_MissingFieldsEqualZeroValues()
    {
        var live = Obj("{'spec':{'replicas':1}}");
        Assert.True(ObjectMatcher.Compare(Obj("{'spec':{'paused':false,'name':'','items':[],'extra':{},'replicas':1.0}}"), live,
            ComplianceType.MustHave).Matches);
        Assert.False(ObjectMatcher.Compare(Obj("{'spec':{'paused':true}}"), live, ComplianceType.MustHave).Matches);
    }

    [Fact]
    public void ScalarsCompareByPrintedFormAndQuantitiesByValue()
    {
        Assert.True(ObjectMatcher.Contains(Node("{'memory':'1Gi','cpu':'500m','port':'80'}"),
            Node("{'memory':'1024Mi','cpu':'0.5','port':80}")));
        Assert.False(ObjectMatcher.Contains(Node("{'memory':'1G'}"), Node("{'memory':'1Gi'}")));
        Assert.False(ObjectMatcher.Contains(Node("{'name':'a'}"), Node("{'name':'A'}")));
    }

    [Fact]
    public void MustOnlyHave_DetectsExtraFieldsInMaps()
    {
        var result = ObjectMatcher.Compare(Obj("{'apiVersion':'v1','kind':'ConfigMap','metadata':{'name':'x'},'data':{'a':'1'}}"),
            Obj(LiveConfigMap), ComplianceType.MustOnlyHave);
        Assert.False(result.Matches);
        Assert.Equal(["data"], result.Differences);
        Assert.Equal("{\"a\":\"1\"}", result.Merged["data"]!.ToJsonString());
    }

    [Fact]
    public void MustOnlyHave_MatchesExactValuesWithListsInAnyOrder()
    {
        var live = Obj("{'apiVersion':'v1','kind':'X','metadata':{'name':'x'},'spec':{'items':[{'k':1},{'k':2}],'mode':'a'}}");
        Assert.True(ObjectMatcher.Compare(Obj("{'spec':{'mode':'a','items':[{'k':2},{'k':1}]}}"), live, ComplianceType.MustOnlyHave).Matches);
        Assert.False(ObjectMatcher.Compare(Obj("{'spec':{'mode':'a','items':[{'k':1}]}}"), live, ComplianceType.MustOnlyHave).Matches);
        Assert.False(ObjectMatcher.Compare(Obj("{'spec':{'mode':'a','items':[{'k':1},{'k':2,'j':3}]}}"), live, ComplianceType.MustOnlyHave).Matches);
    }

    [Fact]
    public void MustOnlyHave_RemovesTopLevelFieldsTheTemplateDoesNotGive()
    {
        var live = Obj("{'apiVersion':'v1','kind':'ConfigMap','metadata':{'name':'x'},'data':{'a':'1'},'binaryData':{'b':'AA=='}}");
        var result = ObjectMatcher.Compare(Obj("{'apiVersion':'v1','kind':'ConfigMap','metadata':{'name':'x'},'data':{'a':'1'}}"), live,
            ComplianceType.MustOnlyHave);
        Assert.False(result.Matches);
        Assert.Equal(["binaryData"], result.Differences);
        Assert.Null(result.Merged["binaryData"]);
        Assert.Equal("1", result.Merged["data"]!["a"]!.GetValue<string>());
    }

    [Fact]
    public void MustHave_ToleratesExtraTopLevelFields()
    {
        var live = Obj("{'apiVersion':'v1','kind':'ConfigMap','metadata':{'name':'x'},'data':{'a':'1'},'binaryData':{'b':'AA=='}}");
        Assert.True(ObjectMatcher.Compare(Obj("{'apiVersion':'v1','kind':'ConfigMap','metadata':{'name':'x'},'data':{'a':'1'}}"), live,
            ComplianceType.MustHave).Matches);
    }

    [Fact]
    public void Metadata_OnlyLabelsAndAnnotationsAreCompared()
    {
        var live = Obj(LiveConfigMap);
        Assert.True(ObjectMatcher.Compare(Obj("{'metadata':{'name':'x','uid':'other','generation':5,'annotations':{'note':'n'}}}"), live,
            ComplianceType.MustHave).Matches);
        var labels = ObjectMatcher.Compare(Obj("{'metadata':{'labels':{'app':'web'}},'data':{'a':'1','b':'2'}}"), live, ComplianceType.MustOnlyHave);
        Assert.False(labels.Matches);
        Assert.Equal(["metadata.labels"], labels.Differences);
        Assert.Equal("{\"app\":\"web\"}", labels.Merged["metadata"]!["labels"]!.ToJsonString());
        // The last-applied annotation is ignored, and kept when annotations are rewritten.
        var annotations = ObjectMatcher.Compare(Obj("{'metadata':{'annotations':{'note':'n'}},'data':{'b':'2','a':'1'}}"), live, ComplianceType.MustOnlyHave);
        Assert.True(annotations.Matches);
        var rewritten = ObjectMatcher.Compare(Obj("{'metadata':{'annotations':{'note':'m'}},'data':{'a':'1','b':'2'}}"), live, ComplianceType.MustOnlyHave);
        Assert.NotNull(rewritten.Merged["metadata"]!["annotations"]!["kubectl.kubernetes.io/last-applied-configuration"]);
    }

    [Fact]
    public void MetadataComplianceType_OverridesTheTemplatesForMetadata()
    {
        var live = Obj(LiveConfigMap);
        var template = Obj("{'metadata':{'labels':{'app':'web'}},'data':{'a':'1'}}");
        Assert.True(ObjectMatcher.Compare(template, live, ComplianceType.MustHave).Matches);
        Assert.False(ObjectMatcher.Compare(template, live, ComplianceType.MustHave, ComplianceType.MustOnlyHave).Matches);
    }

    [Fact]
    public void Status_IsComparedButNeverMerged()
    {
        var live = Obj("{'apiVersion':'v1','kind':'Namespace','metadata':{'name':'n'},'status':{'phase':'Terminating'}}");
        var result = ObjectMatcher.Compare(Obj("{'metadata':{'name':'n'},'status':{'phase':'Active'}}"), live, ComplianceType.MustHave);
        Assert.True(result.Matches);
        Assert.False(result.StatusMatches);
        Assert.False(result.Compliant);
        Assert.Equal("Terminating", result.Merged["status"]!["phase"]!.GetValue<string>());
    }
}
