using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace UnsafeScope.IO;

/// <summary>SHA-256 over length-prefixed parts, as lowercase hex: cache keys and run fingerprints.</summary>
internal static class ContentHash
{
    public static string Of(params ReadOnlySpan<string> parts) => Of(parts, default);

    /// <summary>
    /// The parts, each length-prefixed, then <paramref name="tail"/> as it is, hashed in one call: an incremental hash
    /// per key made a native hash context and a finalizable handle for every file a cached run looked up.
    /// </summary>
    public static string Of(ReadOnlySpan<string> parts, ReadOnlySpan<byte> tail)
    {
        int size = tail.Length;
        foreach (var part in parts) size += 4 + Encoding.UTF8.GetByteCount(part);
        byte[]? rented = null;
        Span<byte> buffer = size <= 1024 ? stackalloc byte[size] : (rented = Scratch<byte>.Take(size)).AsSpan(0, size);
        try
        {
            int at = 0;
            foreach (var part in parts)
            {
                int n = Encoding.UTF8.GetBytes(part, buffer[(at + 4)..]);
                BinaryPrimitives.WriteInt32LittleEndian(buffer[at..], n);
                at += 4 + n;
            }
            tail.CopyTo(buffer[at..]);
            Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(buffer, hash);
            return Convert.ToHexStringLower(hash);
        }
        finally
        {
            if (rented is not null) Scratch<byte>.Give(rented);
        }
    }

    // Length prefixes keep ("ab", "c") and ("a", "bc") apart.
    public static void Append(IncrementalHash hash, string part)
    {
        var bytes = Encoding.UTF8.GetBytes(part);
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(length, bytes.Length);
        hash.AppendData(length);
        hash.AppendData(bytes);
    }
}
