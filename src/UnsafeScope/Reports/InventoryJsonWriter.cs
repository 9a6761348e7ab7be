using System.Text.Json;
using UnsafeScope.Driver;
using UnsafeScope.Inventory;

namespace UnsafeScope.Reports;

/// <summary>
/// Writes the JSON inventory described by <c>docs/schemas/inventory.schema.json</c>: UTF-8 without BOM,
/// streaming, and deterministic (no times, stable order), so the same input gives the same bytes.
/// </summary>
public static class InventoryJsonWriter
{
    /// <summary>The schema version written in <c>schemaVersion</c>.</summary>
    public const int SchemaVersion = 1;

    /// <summary>Writes the inventory of <paramref name="result"/> to a stream.</summary>
    public static void Write(AnalysisResult result, Stream stream)
    {
        using var w = new Utf8JsonWriter(stream, OutputText.Json());
        w.WriteStartObject();
        w.WriteNumber("schemaVersion", SchemaVersion);
        w.WriteStartObject("tool");
        w.WriteString("name", "UnsafeScope");
        w.WriteString("version", ToolInfo.Version);
        w.WriteEndObject();

        w.WriteStartArray("files");
        foreach (var f in result.Files)
        {
            w.WriteStartObject();
            w.WriteString("path", f.Path);
            w.WriteString("status", f.Status switch { FileStatus.Analyzed => "analyzed", FileStatus.Configuration => "configuration", _ => "skipped" });
            w.WriteNumber("bytes", f.Bytes);
            w.WriteNumber("syntaxErrors", f.SyntaxErrors);
            if (f.Inventory is { } inv)
            {
                w.WriteString("crate", inv.Crate);
                w.WriteNumber("score", inv.Score);
                WriteCounts(w, "counts", inv.Counts);
                w.WriteStartArray("regions");
                foreach (var r in inv.Regions)
                {
                    WriteRegion(w, r);
                    // Within a file too: stdarch's files have thousands of regions, and the writer's buffer grew to
                    // hold a whole file (18 MB allocated growing it in a corpus run).
                    if (w.BytesPending > 1 << 16) w.Flush();
                }
                w.WriteEndArray();
            }
            if (!f.Diagnostics.IsEmpty)
            {
                w.WriteStartArray("diagnostics");
                foreach (var d in f.Diagnostics)
                {
                    w.WriteStartObject();
                    w.WriteString("ruleId", d.Id);
                    w.WriteString("level", d.Severity switch
                    {
                        Diagnostics.DiagnosticSeverity.Error => "error",
                        Diagnostics.DiagnosticSeverity.Warning => "warning",
                        Diagnostics.DiagnosticSeverity.Info => "note",
                        _ => "none",
                    });
                    w.WriteNumber("line", d.Location.StartLine);
                    w.WriteNumber("column", d.Location.LineSpan.Start.Character + 1);
                    w.WriteString("message", d.Message);
                    if (d.Fingerprint is { } fp) w.WriteString("fingerprint", fp);
                    if (d.Suppression is { } sup) w.WriteString("suppressed", sup.Justification);
                    if (d.GetProperty("score") is { } score) w.WriteNumber("score", int.Parse(score, System.Globalization.CultureInfo.InvariantCulture));
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }
            w.WriteEndObject();
            // Stream as we go: the writer otherwise buffers the whole inventory (100+ MB on a corpus) until the end.
            if (w.BytesPending > 1 << 16) w.Flush();
        }
        w.WriteEndArray();

        w.WriteStartArray("crates");
        foreach (var c in result.Crates)
        {
            w.WriteStartObject();
            w.WriteString("name", c.Name);
            w.WriteString("root", c.Root);
            w.WriteNumber("files", c.Files);
            w.WriteString("edition", c.Edition);
            w.WriteNumber("score", c.Score);
            WriteCounts(w, "counts", c.Counts);
            if (!c.EncapsulatingFunctions.IsEmpty)
            {
                w.WriteStartObject("encapsulatingFunctions");
                w.WriteNumber("tested", c.TestedEncapsulatingFunctions);
                w.WriteNumber("total", c.EncapsulatingFunctions.Length);
                w.WriteStartArray("functions");
                foreach (var e in c.EncapsulatingFunctions)
                {
                    w.WriteStartObject();
                    w.WriteString("item", e.Item);
                    w.WriteString("path", e.Path);
                    w.WriteNumber("line", e.Line);
                    w.WriteBoolean("tested", e.Tested);
                    if (e.ReachedFrom.Length > 0) w.WriteString("reachedFrom", e.ReachedFrom);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            if (!c.ExposedFunctions.IsEmpty)
            {
                w.WriteStartArray("exposedFunctions");
                foreach (var e in c.ExposedFunctions)
                {
                    w.WriteStartObject();
                    w.WriteString("item", e.Item);
                    w.WriteString("path", e.Path);
                    w.WriteNumber("startLine", e.StartLine);
                    w.WriteNumber("endLine", e.EndLine);
                    w.WriteNumber("exposure", e.Exposure);
                    w.WriteString("exposedThrough", e.ExposedThrough);
                    w.WriteNumber("score", e.Score);
                    w.WriteStartArray("reaches");
                    foreach (var x in e.Reaches) w.WriteStringValue(x);
                    w.WriteEndArray();
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }
            if (!c.TrustedSafeFunctions.IsEmpty)
            {
                w.WriteStartArray("trustedSafeFunctions");
                foreach (var t in c.TrustedSafeFunctions)
                {
                    w.WriteStartObject();
                    w.WriteString("item", t.Item);
                    w.WriteString("path", t.Path);
                    w.WriteNumber("startLine", t.StartLine);
                    w.WriteNumber("endLine", t.EndLine);
                    w.WriteNumber("exposure", t.Exposure);
                    w.WriteString("exposedThrough", t.ExposedThrough);
                    w.WriteString("field", t.Field);
                    w.WriteString("source", t.Source);
                    w.WriteStartArray("trustedBy");
                    foreach (var x in t.TrustedBy) w.WriteStringValue(x);
                    w.WriteEndArray();
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }
            if (c.Package is { } p) WritePackage(w, p);
            w.WriteEndObject();
            if (w.BytesPending > 1 << 16) w.Flush();
        }
        w.WriteEndArray();
        WriteCounts(w, "total", result.Totals);

        w.WriteStartArray("notifications");
        foreach (var n in result.Notifications)
        {
            w.WriteStartObject();
            w.WriteString("id", n.Id);
            w.WriteString("level", n.Level.ToString().ToLowerInvariant());
            w.WriteString("message", n.Message);
            if (n.Path.Length > 0) w.WriteString("path", n.Path);
            if (n.Line > 0) w.WriteNumber("line", n.Line);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteRegion(Utf8JsonWriter w, UnsafeRegion r)
    {
        w.WriteStartObject();
        w.WriteString("kind", RegionKinds.Name(r.Kind));
        w.WriteNumber("startLine", r.StartLine);
        w.WriteNumber("startColumn", r.Location.LineSpan.Start.Character + 1);
        w.WriteNumber("endLine", r.EndLine);
        w.WriteNumber("endColumn", r.Location.LineSpan.End.Character + 1);
        w.WriteBoolean("inMacro", r.InMacro);
        if (!r.IsActive) w.WriteBoolean("active", false);
        if (r.ExpandedFrom.Length > 0) w.WriteString("expandedFrom", r.ExpandedFrom);
        if (r.MacroRules.Length > 0) w.WriteString("macroRules", r.MacroRules);
        w.WriteString("item", r.Item);
        if (r.Name.Length > 0) w.WriteString("name", r.Name);
        w.WriteString("visibility", r.Visibility);
        w.WriteBoolean("hasSafetyComment", r.HasSafetyComment);
        if (r.Kind is RegionKind.UnsafeFn or RegionKind.UnsafeTrait) w.WriteBoolean("hasSafetyDoc", r.HasSafetyDoc);
        if (r.Abi.Length > 0) w.WriteString("abi", r.Abi);
        if (Scoring.EncapsulationScore.IsScored(r.Kind))
        {
            w.WriteNumber("score", r.Score);
            w.WriteStartArray("scoreFactors");
            foreach (var f in r.ScoreFactors)
            {
                w.WriteStartObject();
                w.WriteString("name", f.Name);
                w.WriteNumber("points", f.Points);
                w.WriteString("detail", f.Detail);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        w.WriteStartArray("operations");
        foreach (var o in r.Operations)
        {
            w.WriteStartObject();
            w.WriteString("kind", RegionKinds.Name(o.Kind));
            w.WriteString("name", o.Name);
            w.WriteNumber("line", o.Line);
            w.WriteNumber("column", o.Location.LineSpan.Start.Character + 1);
            if (o.Cfg.Length > 0) w.WriteString("cfg", o.Cfg);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        WriteFfiCalls(w, r.FfiCalls);
        w.WriteStartArray("mmio");
        foreach (var m in r.Mmio)
        {
            w.WriteStartObject();
            w.WriteString("kind", m.Kind);
            w.WriteString("api", m.Api);
            w.WriteString("base", m.Base);
            w.WriteNumber("line", m.Line);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>The <c>ffiCalls</c> array, as the inventory schema describes it (shared with the CodeQL correlation).</summary>
    /// <summary>The crate's package as cargo configures it: the facts later rules point at, each with its file and line.</summary>
    private static void WritePackage(Utf8JsonWriter w, Workspace.CargoPackage p)
    {
        w.WriteStartObject("package");
        w.WriteString("name", p.Name);
        WriteLocation(w, "manifest", p.Manifest);
        if (p.WorkspaceManifest is { } ws) WriteLocation(w, "workspaceManifest", ws);
        w.WriteString("edition", p.EffectiveEdition);
        if (p.Edition is { } e) WriteLocation(w, "editionLocation", e.Location);
        if (p.Version is { } v) WriteValue(w, "version", v);
        w.WriteStartArray("features");
        foreach (var f in p.Features) w.WriteStringValue(f);
        w.WriteEndArray();
        w.WriteStartArray("targets");
        foreach (var t in p.Targets)
        {
            w.WriteStartObject();
            w.WriteString("kind", t.Kind);
            w.WriteString("name", t.Name);
            if (t.Path is not null) w.WriteString("path", t.Path);
            w.WriteStartArray("crateTypes");
            foreach (var ct in t.CrateTypes) w.WriteStringValue(ct);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteBoolean("buildScript", p.HasBuildScript);
        if (p.DriverModel is { } d)
        {
            w.WriteStartObject("driverModel");
            w.WriteString("driverType", d.DriverType);
            w.WriteBoolean("inherited", d.Inherited);
            w.WriteStartObject("settings");
            foreach (var (k, val) in d.Settings) w.WriteString(k, val);
            w.WriteEndObject();
            WriteLocation(w, "location", d.Location);
            w.WriteEndObject();
        }
        w.WriteStartArray("dependencies");
        foreach (var dep in p.Dependencies)
        {
            w.WriteStartObject();
            w.WriteString("name", dep.Name);
            w.WriteString("package", dep.Package);
            if (dep.Version is not null) w.WriteString("version", dep.Version);
            if (dep.Path is not null) w.WriteString("path", dep.Path);
            w.WriteString("kind", dep.Kind);
            if (dep.Target is not null) w.WriteString("target", dep.Target);
            w.WriteBoolean("workspace", dep.Workspace);
            w.WriteBoolean("optional", dep.Optional);
            w.WriteStartArray("features");
            foreach (var f in dep.Features) w.WriteStringValue(f);
            w.WriteEndArray();
            WriteLocation(w, "location", dep.Location);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("lints");
        foreach (var l in p.Lints)
        {
            w.WriteStartObject();
            w.WriteString("lint", l.Lint);
            w.WriteString("level", l.Level.ToString().ToLowerInvariant());
            w.WriteNumber("priority", l.Priority);
            w.WriteString("source", l.Source);
            WriteLocation(w, "location", l.Location);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("profiles");
        foreach (var s in p.Profiles)
        {
            w.WriteStartObject();
            w.WriteString("profile", s.Profile);
            w.WriteString("key", s.Key);
            w.WriteString("value", s.Value);
            WriteLocation(w, "location", s.Location);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("rustflags");
        foreach (var f in p.Rustflags)
        {
            w.WriteStartObject();
            WriteValue(w, "value", f);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        if (p.ToolchainChannel is { } ch) WriteValue(w, "toolchainChannel", ch);
        w.WriteEndObject();
    }

    private static void WriteLocation(Utf8JsonWriter w, string name, Workspace.ManifestLocation l)
    {
        w.WriteStartObject(name);
        w.WriteString("file", l.File);
        w.WriteNumber("line", l.Line);
        w.WriteEndObject();
    }

    // A value and where it was written: {"value": "…", "file": "…", "line": n} under the given name (or flattened when name is "value").
    private static void WriteValue(Utf8JsonWriter w, string name, Workspace.ManifestValue v)
    {
        if (name != "value") w.WriteStartObject(name);
        w.WriteString("value", v.Value);
        w.WriteString("file", v.Location.File);
        w.WriteNumber("line", v.Location.Line);
        if (name != "value") w.WriteEndObject();
    }

    internal static void WriteFfiCalls(Utf8JsonWriter w, System.Collections.Immutable.ImmutableArray<FfiCall> calls)
    {
        w.WriteStartArray("ffiCalls");
        foreach (var f in calls)
        {
            w.WriteStartObject();
            w.WriteString("name", f.Name);
            w.WriteString("family", f.Family);
            w.WriteString("risk", f.Risk);
            w.WriteString("form", f.Form switch
            {
                FfiCallForm.Call => "call",
                FfiCallForm.Path => "path",
                FfiCallForm.WdfMacro => "wdf_macro",
                _ => "hidden_by_macro",
            });
            w.WriteString("source", f.Source);
            if (f.Uncatalogued) w.WriteBoolean("uncatalogued", true);
            w.WriteNumber("line", f.Line);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    private static void WriteCounts(Utf8JsonWriter w, string name, InventoryCounts c)
    {
        w.WriteStartObject(name);
        w.WriteNumber("unsafeBlocks", c.UnsafeBlocks);
        w.WriteNumber("unsafeFunctions", c.UnsafeFunctions);
        w.WriteNumber("unsafeImpls", c.UnsafeImpls);
        w.WriteNumber("unsafeTraits", c.UnsafeTraits);
        w.WriteNumber("externBlocks", c.ExternBlocks);
        w.WriteNumber("staticMuts", c.StaticMuts);
        w.WriteNumber("ffiCalls", c.FfiCalls);
        w.WriteNumber("mmioAccesses", c.MmioAccesses);
        w.WriteNumber("lines", c.Lines);
        w.WriteNumber("unsafeLines", c.UnsafeLines);
        w.WriteNumber("functions", c.Functions);
        w.WriteNumber("unsafeFreeFunctions", c.UnsafeFreeFunctions);
        w.WriteNumber("methods", c.Methods);
        w.WriteNumber("unsafeMethods", c.UnsafeMethods);
        w.WriteNumber("impls", c.Impls);
        w.WriteNumber("traits", c.Traits);
        w.WriteEndObject();
    }
}
