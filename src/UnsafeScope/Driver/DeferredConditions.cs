using UnsafeScope.Diagnostics;
using UnsafeScope.Inventory;

namespace UnsafeScope.Driver;

/// <summary>
/// Conditions a syntax finding can carry when whether it holds is known only after its crate is linked. The
/// finding stays in the file's record (so the cache and shards keep it), and the crate stage keeps or drops it.
/// </summary>
internal static class DeferredConditions
{
    /// <summary>Keep the finding only if the innermost unsafe block holding it belongs to an exported function.</summary>
    public const string ExportedOnly = "unsafescope.exportedOnly";

    /// <summary>Applies the conditions to a linked file's findings, in place, and removes the markers.</summary>
    public static void Apply(List<Diagnostic> diagnostics, FileInventory inventory)
    {
        for (int k = diagnostics.Count - 1; k >= 0; k--)
        {
            var d = diagnostics[k];
            if (!d.Properties.ContainsKey(ExportedOnly)) continue;
            UnsafeRegion? block = null;
            foreach (var r in inventory.Regions)
                if (r.Kind == RegionKind.UnsafeBlock && r.Location.SourceSpan.Contains(d.Location.SourceSpan.Start) && (block is null || r.Location.SourceSpan.Length < block.Location.SourceSpan.Length))
                    block = r;
            if (block is { IsExported: true }) diagnostics[k] = d.WithProperties(d.Properties.Remove(ExportedOnly));
            else diagnostics.RemoveAt(k);
        }
    }
}
