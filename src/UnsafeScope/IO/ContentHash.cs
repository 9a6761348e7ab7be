using System.Security.Cryptography;
using System.Text;

namespace UnsafeScope.IO;

/// <summary>SHA-256 over length-prefixed parts, as lowercase hex: cache keys and run fingerprints.</summary>
internal static class ContentHash
{
    public static string Of(params string[] parts)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var part in parts) Append(hash, part);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    // Length prefixes keep ("ab", "c") and ("a", "bc") apart.
    public static void Append(IncrementalHash hash, string part)
    {
        var bytes = Encoding.UTF8.GetBytes(part);
        Span<byte> length = stackalloc byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(length, bytes.Length);
        hash.AppendData(length);
        hash.AppendData(bytes);
    }
}
