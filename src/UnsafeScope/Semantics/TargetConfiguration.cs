using System.Collections.Immutable;

namespace UnsafeScope.Semantics;

/// <summary>
/// The cfg values a target triple fixes (<c>x86_64-pc-windows-msvc</c> for a Windows driver): <c>target_arch</c>,
/// <c>target_vendor</c>, <c>target_os</c>, <c>target_env</c>, <c>target_family</c>, <c>target_pointer_width</c>,
/// <c>target_endian</c>, <c>unix</c>/<c>windows</c>; <c>test</c>, <c>doc</c> and <c>miri</c> are false (a build of the
/// library, as clippy checks it). Features and custom cfgs stay unknown unless <see cref="With"/> fixes them
/// (<c>[target]</c> in <c>unsafescope.toml</c>).
/// </summary>
public sealed class TargetConfiguration
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _families = new(StringComparer.Ordinal);
    private ImmutableArray<string>? _features;
    private ImmutableHashSet<string> _cfgs = ImmutableHashSet<string>.Empty;
    private ImmutableHashSet<string> _cfgKeys = ImmutableHashSet<string>.Empty;

    private TargetConfiguration(string triple) => Triple = triple;

    /// <summary>The triple as given, or empty when only features and cfgs are fixed.</summary>
    public string Triple { get; }

    /// <summary>A configuration that fixes no target cfg (<c>unix</c>, <c>target_os</c>… stay unknown), only what <see cref="With"/> adds.</summary>
    public static TargetConfiguration Unspecified => new("");

    /// <summary>
    /// The enabled Cargo features, when fixed: <c>feature = "x"</c> is true for these and false for every other
    /// feature (as cargo passes exactly the enabled ones). Null: features are unknown.
    /// </summary>
    public ImmutableArray<string>? Features => _features;

    /// <summary>
    /// Extra cfgs set for the build (<c>--cfg tokio_unstable</c>, <c>--cfg foo="bar"</c>), normalized like predicates.
    /// They are true; a name-only cfg not listed stays unknown, and a key with listed values is false for other values.
    /// </summary>
    public ImmutableArray<string> Cfgs => [.. _cfgs.Order(StringComparer.Ordinal)];

    /// <summary>This configuration with features fixed (null keeps them as they are) and extra cfgs set.</summary>
    public TargetConfiguration With(IEnumerable<string>? features, IEnumerable<string>? cfgs)
    {
        var t = (TargetConfiguration)MemberwiseClone();
        if (features is not null) t._features = [.. features.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
        if (cfgs is not null)
        {
            var normalized = cfgs.Select(c => CfgAlternatives.Normalize(c)).Where(c => c.Length > 0).ToList();
            t._cfgs = _cfgs.Union(normalized);
            t._cfgKeys = _cfgKeys.Union(normalized.Where(c => c.Contains('=')).Select(c => c[..c.IndexOf('=')]));
        }
        return t;
    }

    /// <summary>What the configuration fixes, as stable text (part of the run fingerprint: shards and caches must agree).</summary>
    public string Describe() => string.Join(' ', [
        Triple,
        _features is { } f ? "features=[" + string.Join(',', f) + "]" : "features=?",
        "cfg=[" + string.Join(',', Cfgs) + "]"]);

    /// <summary>Reads a triple (<c>arch-vendor-os[-env]</c>, or <c>arch-os[-env]</c>); null when it has fewer than two parts.</summary>
    public static TargetConfiguration? Parse(string triple)
    {
        ArgumentNullException.ThrowIfNull(triple);
        var parts = triple.Trim().Split('-');
        if (parts.Length < 2 || parts.Any(p => p.Length == 0)) return null;
        var t = new TargetConfiguration(triple.Trim());
        var arch = parts[0] switch
        {
            "i386" or "i586" or "i686" => "x86",
            "armv7" or "armv7a" or "thumbv7em" or "thumbv7m" or "thumbv6m" or "armv6" or "arm" => "arm",
            "riscv64gc" or "riscv64imac" => "riscv64",
            "riscv32imac" or "riscv32imc" or "riscv32i" => "riscv32",
            "powerpc64le" => "powerpc64",
            var a => a,
        };
        // Three or more parts: arch-vendor-os[-env]; two: arch-os (wasm32-wasi) or arch-none.
        string vendor = parts.Length >= 3 ? parts[1] : "unknown", os = parts.Length >= 3 ? parts[2] : parts[1];
        string env = parts.Length >= 4 ? parts[3] : "";
        if (os == "darwin") os = "macos";
        if (os == "none") os = "none";
        t._values["target_arch"] = arch;
        t._values["target_vendor"] = vendor;
        t._values["target_os"] = os;
        t._values["target_env"] = env.StartsWith("gnu", StringComparison.Ordinal) ? "gnu" : env.StartsWith("musl", StringComparison.Ordinal) ? "musl" : env is "msvc" or "sgx" or "uclibc" ? env : "";
        t._values["target_pointer_width"] = arch is "x86_64" or "aarch64" or "riscv64" or "powerpc64" or "mips64" or "s390x" or "loongarch64" or "sparc64" || arch == "wasm64" ? "64"
            : arch is "msp430" or "avr" ? "16" : "32";
        t._values["target_endian"] = arch is "s390x" or "sparc64" or "mips" or "mips64" or "powerpc" || (arch == "powerpc64" && parts[0] != "powerpc64le") ? "big" : "little";
        if (os == "windows") t._families.Add("windows");
        else if (os is "linux" or "macos" or "ios" or "android" or "freebsd" or "netbsd" or "openbsd" or "dragonfly" or "solaris" or "illumos" or "haiku" or "fuchsia" or "redox" or "aix" or "hurd" or "tvos" or "watchos" or "visionos")
            t._families.Add("unix");
        if (arch is "wasm32" or "wasm64") t._families.Add("wasm");
        return t;
    }

    /// <summary>The value of one cfg atom (<c>unix</c>, <c>target_os="linux"</c>), or null when the target does not fix it.</summary>
    public bool? Value(string atom)
    {
        ArgumentNullException.ThrowIfNull(atom);
        if (_cfgs.Contains(atom)) return true;
        int eq = atom.IndexOf('=');
        if (eq < 0)
        {
            return atom switch
            {
                "unix" or "windows" when Triple.Length > 0 => _families.Contains(atom),
                "test" or "doc" or "doctest" or "miri" => false,
                _ => null,
            };
        }
        var key = atom[..eq];
        var value = atom[(eq + 1)..].Trim('"');
        if (key == "feature" && _features is { } features) return features.Contains(value, StringComparer.Ordinal);
        // A key the configuration gives values for (`foo="bar"`) has no others, like rustc's --cfg.
        if (_cfgKeys.Contains(key)) return false;
        if (key == "target_family" && Triple.Length > 0) return _families.Contains(value);
        return _values.TryGetValue(key, out var v) ? v == value : null;
    }
}
