using System.Collections.Immutable;
using UnsafeScope.Inventory;
using UnsafeScope.Text;

namespace UnsafeScope.Semantics;

/// <summary>
/// What the linked crate knows about one file, for region, file and crate actions (Roslyn's <c>SemanticModel</c> in
/// shape): the unsafe operations of a region or span, resolved once for the crate with the run's catalogs and
/// dependencies, whether an item is exported (clippy's effective visibility) and whether it is compiled for the
/// configured target. Rules, the inventory and the score read the same answers, so they cannot disagree.
/// </summary>
public sealed class SemanticModel
{
    internal SemanticModel(FileInventory file) => File = file;

    /// <summary>The file this model answers for.</summary>
    public FileInventory File { get; }

    /// <summary>
    /// The operations rustc requires <c>unsafe</c> for that belong to <paramref name="region"/> itself (not to a region
    /// nested in it): raw pointer dereferences, calls of unsafe and extern functions and methods (also through
    /// <c>unsafe fn</c> pointers), <c>static mut</c> and extern statics, union field reads, inline assembly, unsafe
    /// macros. Each has its location, its kind, the locals it works on and the cfg it sits under. All of them, whatever
    /// their cfgs; see <see cref="GetCountedOperations"/> for one configuration's.
    /// </summary>
    public ImmutableArray<UnsafeOperation> GetUnsafeOperations(UnsafeRegion region)
    {
        ArgumentNullException.ThrowIfNull(region);
        return region.Operations;
    }

    /// <summary>The operations of the file's regions that start inside <paramref name="span"/>, in source order.</summary>
    public ImmutableArray<UnsafeOperation> GetUnsafeOperations(TextSpan span)
        => [.. File.Regions.SelectMany(r => r.Operations).Where(o => span.Contains(o.Location.SourceSpan.Start))
            .OrderBy(o => o.Location.SourceSpan.Start).ThenBy(o => o.Kind)];

    /// <summary>
    /// The operations the compiler sees together in any one configuration: those under no cfg plus the largest of each
    /// set of alternatives (cfgs that exclude each other). What US1002 and the score count.
    /// </summary>
    public IReadOnlyList<UnsafeOperation> GetCountedOperations(UnsafeRegion region)
    {
        ArgumentNullException.ThrowIfNull(region);
        return CfgAlternatives.Counted(region.Operations);
    }

    /// <summary>
    /// Whether the region's item is reachable from outside the crate, as clippy decides (see
    /// <see cref="UnsafeRegion.IsExported"/>); for a block, whether its function is.
    /// </summary>
    public bool IsExported(UnsafeRegion region)
    {
        ArgumentNullException.ThrowIfNull(region);
        return region.IsExported;
    }

    /// <summary>False when a cfg around the region is false for the configured target (never without a target).</summary>
    public bool IsActive(UnsafeRegion region)
    {
        ArgumentNullException.ThrowIfNull(region);
        return region.IsActive;
    }

    /// <summary>
    /// For a region in a function: the parameters whose type is a raw pointer (also through a crate alias) and that
    /// the body has not re-bound before the region.
    /// </summary>
    public ImmutableArray<string> GetPointerParameters(UnsafeRegion region)
    {
        ArgumentNullException.ThrowIfNull(region);
        return region.PointerParameters;
    }
}
