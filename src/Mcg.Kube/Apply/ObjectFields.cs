using System.Text.Json.Nodes;

namespace Mcg.Kube.Apply;

/// <summary>The field set of an object, as structured-merge-diff's ToFieldSet builds it.</summary>
internal static class ObjectFields
{
    public static FieldSet Of(JsonObject obj)
    {
        var set = new FieldSet();
        AddMap(obj, [], set, []);
        return set;
    }

    // Maps are not members themselves (they stand for struct fields), so an empty map adds nothing; list items are.
    private static void AddMap(JsonObject map, string[] names, FieldSet set, List<PathElement> path)
    {
        foreach (var (field, value) in map)
        {
            path.Add(PathElement.Field(field));
            var shape = Shape.Of(value, names, field);
            switch (shape.Kind)
            {
                case ShapeKind.Map:
                    AddMap((JsonObject)value!, [.. names, field], set, path);
                    break;
                case ShapeKind.KeyedList or ShapeKind.SetList:
                    foreach (var item in (JsonArray)value!)
                    {
                        path.Add(shape.ItemElement(item));
                        set.Insert(path);
                        if (item is JsonObject fields)
                        {
                            AddMap(fields, [.. names, field], set, path);
                        }
                        path.RemoveAt(path.Count - 1);
                    }
                    break;
                default:
                    set.Insert(path);
                    break;
            }
            path.RemoveAt(path.Count - 1);
        }
    }
}
