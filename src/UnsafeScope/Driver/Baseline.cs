using System.Collections.Immutable;
using System.Text.Json;

namespace UnsafeScope.Driver;

/// <summary>
/// The findings of an earlier run (its JSON inventory or SARIF file): a later run reports only findings
/// whose fingerprint is not in the baseline; the others are kept, marked as suppressed by the baseline.
/// </summary>
public sealed class Baseline
{
    private Baseline(string path, ImmutableHashSet<string> fingerprints)
    {
        Path = path;
        Fingerprints = fingerprints;
    }

    /// <summary>The file it was read from.</summary>
    public string Path { get; }

    /// <summary>The fingerprints of the baseline's findings.</summary>
    public ImmutableHashSet<string> Fingerprints { get; }

    /// <summary>Reads an UnsafeScope JSON inventory or SARIF log; throws <see cref="InvalidDataException"/> with the reason when it is neither.</summary>
    public static Baseline Load(string path)
    {
        var set = ImmutableHashSet.CreateBuilder<string>(StringComparer.Ordinal);
        try
        {
            using var stream = IO.UntrustedFile.OpenRead(path, 64 * 1024); // a committed baseline may be a link to a device
            using var doc = JsonDocument.Parse(stream);
            var root = doc.RootElement;
            if (root.TryGetProperty("runs", out var runs))
            {
                foreach (var run in runs.EnumerateArray())
                    if (run.TryGetProperty("results", out var results))
                        foreach (var r in results.EnumerateArray())
                            if (r.TryGetProperty("partialFingerprints", out var fp) && fp.TryGetProperty("unsafescope/v1", out var v) && v.GetString() is { } s)
                                set.Add(s);
            }
            else if (root.TryGetProperty("files", out var files))
            {
                foreach (var f in files.EnumerateArray())
                    if (f.TryGetProperty("diagnostics", out var ds))
                        foreach (var d in ds.EnumerateArray())
                            if (d.TryGetProperty("fingerprint", out var v) && v.GetString() is { } s)
                                set.Add(s);
            }
            else
            {
                throw new InvalidDataException($"{path} is neither an UnsafeScope JSON inventory nor a SARIF log.");
            }
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not valid JSON: {e.Message}", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidDataException($"{path} cannot be read: {e.Message}", e);
        }
        return new Baseline(path, set.ToImmutable());
    }
}
