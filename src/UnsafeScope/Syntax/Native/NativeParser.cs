namespace UnsafeScope.Syntax.Native;

/// <summary>
/// One native parser, used by one thread at a time. The flattened records are its own until its next parse: copied
/// out, or read in place by a tree that holds the parser until it ends (<see cref="RustSyntaxTree.ReleaseNodes"/>).
/// </summary>
internal sealed unsafe class NativeParser : IDisposable
{
    private nint _handle;

    public NativeParser()
    {
        NativeLanguage.Get(); // size and version checks before first use
        _handle = NativeMethods.ParserNew();
        if (_handle == 0)
            throw new InvalidOperationException("tree-sitter could not create a parser (out of memory or language ABI mismatch).");
    }

    /// <summary>Parses and returns the flattened nodes, or a status saying why there are none.</summary>
    public NativeParseStatus Parse(ReadOnlySpan<byte> source, TimeSpan timeout, int* cancelFlag, out NodeRecord[] nodes)
    {
        var status = Parse(source, timeout, cancelFlag, out NodeRecord* records, out int count);
        nodes = status == NativeParseStatus.Ok ? Copy(records, (uint)count) : [];
        return status;
    }

    /// <summary>Parses; the flattened nodes stay in the parser's buffer, valid until its next parse.</summary>
    public NativeParseStatus Parse(ReadOnlySpan<byte> source, TimeSpan timeout, int* cancelFlag, out NodeRecord* nodes, out int count)
    {
        ObjectDisposedException.ThrowIf(_handle == 0, this);
        NodeRecord* ptr;
        uint records;
        int status;
        ulong micros = timeout <= TimeSpan.Zero ? 0 : (ulong)(timeout.Ticks / 10);
        fixed (byte* src = source)
        {
            // An empty span gives a null pointer; tree-sitter is fine with length 0.
            byte empty = 0;
            status = NativeMethods.Parse(_handle, src == null ? &empty : src, (uint)source.Length, micros, cancelFlag, &ptr, &records);
        }
        bool ok = status == (int)NativeParseStatus.Ok;
        nodes = ok ? ptr : null;
        count = ok ? checked((int)records) : 0;
        return (NativeParseStatus)status;
    }

    /// <summary>The records copied into an array that is not zeroed first (every byte is overwritten).</summary>
    internal static NodeRecord[] Copy(NodeRecord* records, uint count)
    {
        var array = GC.AllocateUninitializedArray<NodeRecord>(checked((int)count));
        new ReadOnlySpan<NodeRecord>(records, array.Length).CopyTo(array);
        return array;
    }

    /// <summary>The bytes before <paramref name="start"/> are blank: the next parse starts lexing there (one parse only).</summary>
    public void SkipTo(int start)
    {
        ObjectDisposedException.ThrowIf(_handle == 0, this);
        NativeMethods.ParserSkipTo(_handle, (uint)Math.Max(0, start));
    }

    /// <summary>
    /// Parses, flattens and runs queries over the tree before it is freed; the flattened nodes stay in the parser's
    /// buffer, valid until its next parse.
    /// </summary>
    public NativeParseStatus ParseWithQueries(ReadOnlySpan<byte> source, TimeSpan timeout, int* cancelFlag, ReadOnlySpan<nint> queries, uint matchLimit,
        out NodeRecord* nodes, out int count, out MatchRecord[] matches, out CaptureRecord[] captures, out bool exceededMatchLimit)
    {
        ObjectDisposedException.ThrowIf(_handle == 0, this);
        NodeRecord* n;
        MatchRecord* m;
        CaptureRecord* c;
        uint nc, mc, cc;
        int exceeded, status;
        ulong micros = timeout <= TimeSpan.Zero ? 0 : (ulong)(timeout.Ticks / 10);
        fixed (byte* src = source)
        fixed (nint* q = queries)
        {
            byte empty = 0;
            status = NativeMethods.ParseQuery(_handle, src == null ? &empty : src, (uint)source.Length, micros, cancelFlag, q, (uint)queries.Length, matchLimit,
                &n, &nc, &m, &mc, &c, &cc, &exceeded);
        }
        exceededMatchLimit = exceeded != 0;
        if (status != (int)NativeParseStatus.Ok)
        {
            nodes = null;
            count = 0;
            matches = [];
            captures = [];
            return (NativeParseStatus)status;
        }
        nodes = n;
        count = checked((int)nc);
        matches = new ReadOnlySpan<MatchRecord>(m, checked((int)mc)).ToArray();
        captures = new ReadOnlySpan<CaptureRecord>(c, checked((int)cc)).ToArray();
        return NativeParseStatus.Ok;
    }

    /// <summary>Parse without flattening: the native baseline for benchmarks.</summary>
    public int ParseOnly(ReadOnlySpan<byte> source)
    {
        ObjectDisposedException.ThrowIf(_handle == 0, this);
        fixed (byte* src = source)
        {
            byte empty = 0;
            return NativeMethods.ParseOnly(_handle, src == null ? &empty : src, (uint)source.Length);
        }
    }

    public void Dispose()
    {
        var h = Interlocked.Exchange(ref _handle, 0);
        if (h != 0)
            NativeMethods.ParserDelete(h);
        GC.SuppressFinalize(this);
    }

    ~NativeParser()
    {
        var h = Interlocked.Exchange(ref _handle, 0);
        if (h != 0)
            NativeMethods.ParserDelete(h);
    }
}
