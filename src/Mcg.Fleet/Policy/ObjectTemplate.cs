using System.Text.Json.Nodes;

namespace Mcg.Fleet.Policy;

/// <summary>One entry of a ConfigurationPolicy's <c>object-templates</c>.</summary>
public sealed record ObjectTemplate(ComplianceType ComplianceType, ComplianceType? MetadataComplianceType, JsonObject ObjectDefinition);
