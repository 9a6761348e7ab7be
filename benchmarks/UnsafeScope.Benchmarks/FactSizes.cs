using System.Reflection;
using UnsafeScope.Catalogs;
using UnsafeScope.Inventory;
using UnsafeScope.Syntax;
using UnsafeScope.Text;

namespace UnsafeScope.Benchmarks;

/// <summary>
/// What a file's facts hold, which a run keeps from a file's extraction until its crate is linked and the collector
/// promotes through its generations: the shallow size of every object the <see cref="FileFacts"/> of every Nth corpus
/// file reach (its source text left out), by type and by the field that holds it. Sizes are estimates (16-byte
/// headers, 8-byte references, no padding).
///   UnsafeScope.Benchmarks fact-sizes [N]
/// </summary>
internal static class FactSizes
{
    public static int Run(string[] args)
    {
        int every = args is [var n] ? int.Parse(n, System.Globalization.CultureInfo.InvariantCulture) : 10;
        var files = Corpus.AllFiles().Where((f, i) => i % every == 0).ToArray();
        var catalog = ApiCatalog.Default;
        var locator = new CrateLocator("/");
        var seen = new HashSet<object>(ReferenceEqualityComparer.Instance);
        var bytesBy = new Dictionary<string, (long Bytes, long Count)>();
        var pathBy = new Dictionary<string, long>();
        var distinct = new HashSet<string>(StringComparer.Ordinal);
        var dupBy = new Dictionary<string, long>(); // string bytes whose text an earlier string already had, by holding field
        long src = 0;
        foreach (var path in files)
        {
            var bytes = File.ReadAllBytes(path);
            var text = SourceText.From(bytes, path);
            if (text.ContainsNul) continue;
            src += bytes.Length;
            var tree = RustSyntaxTree.Parse(text);
            var crate = locator.Locate(path);
            var f = Extractor.Extract(tree, catalog, path, crate.Name, CrateLocator.ModulePath(crate.Root, path));
            f.LineHashes = UnsafeScope.Diagnostics.Fingerprints.LineHashes(text);
            seen.Add(text);
            Walk(f, "FileFacts");
        }
        long total = bytesBy.Values.Sum(v => v.Bytes);
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(inv, $"files {files.Length} source {src / 1e6:F1} MB facts {total / 1e6:F1} MB ({(double)total / src:F2} per source byte)"));
        Console.WriteLine("-- by type: MB, objects");
        foreach (var (k, v) in bytesBy.OrderByDescending(p => p.Value.Bytes).Take(25))
            Console.WriteLine(string.Create(inv, $"{v.Bytes / 1e6,8:F2} {v.Count,9} {k}"));
        Console.WriteLine(string.Create(inv, $"-- strings whose text another string already had: {dupBy.Values.Sum() / 1e6:F2} MB, by holding field"));
        foreach (var (k, v) in dupBy.OrderByDescending(p => p.Value).Take(12))
            Console.WriteLine(string.Create(inv, $"{v / 1e6,8:F2} {k}"));
        Console.WriteLine("-- by the field holding it: MB");
        foreach (var (k, v) in pathBy.OrderByDescending(p => p.Value).Take(25))
            Console.WriteLine(string.Create(inv, $"{v / 1e6,8:F2} {k}"));
        return 0;

        void Walk(object o, string where)
        {
            var stack = new Stack<(object, string)>();
            stack.Push((o, where));
            while (stack.Count > 0)
            {
                var (obj, at) = stack.Pop();
                if (obj is null || !seen.Add(obj)) continue;
                var t = obj.GetType();
                if (obj is SourceText || obj is Delegate || t.IsPointer || obj is Type) continue;
                long size;
                if (obj is string s)
                {
                    size = 22 + 2L * s.Length;
                    if (!distinct.Add(s)) dupBy[at] = dupBy.GetValueOrDefault(at) + size;
                }
                else if (obj is Array a)
                {
                    var et = t.GetElementType()!;
                    size = 24 + (long)a.Length * ElemSize(et);
                    if (!et.IsValueType || !IsPlain(et))
                        foreach (var e in a) if (e is not null) Push(e, et, at);
                }
                else
                {
                    size = 16 + Fields(t).Sum(fi => ElemSize(fi.FieldType));
                    foreach (var fi in Fields(t))
                    {
                        if (fi.FieldType.IsPointer) continue;
                        var v = fi.GetValue(obj);
                        if (v is not null) Push(v, fi.FieldType, Short(t) + "." + fi.Name);
                    }
                }
                var key = Short(t);
                var cur = bytesBy.GetValueOrDefault(key);
                bytesBy[key] = (cur.Bytes + size, cur.Count + 1);
                pathBy[at] = pathBy.GetValueOrDefault(at) + size;
            }

            void Push(object v, Type declared, string at)
            {
                if (v.GetType().IsValueType)
                {
                    // A struct field (boxed by reflection): its references are walked, the box is not counted.
                    foreach (var fi in Fields(v.GetType()))
                        if (!fi.FieldType.IsValueType || !IsPlain(fi.FieldType)) { var x = fi.GetValue(v); if (x is not null) Push(x, fi.FieldType, at); }
                    return;
                }
                stack.Push((v, at));
            }
        }
    }

    static readonly Dictionary<Type, FieldInfo[]> s_fields = [];
    static FieldInfo[] Fields(Type t)
    {
        if (s_fields.TryGetValue(t, out var f)) return f;
        var list = new List<FieldInfo>();
        for (var x = t; x is not null; x = x.BaseType)
            list.AddRange(x.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly));
        return s_fields[t] = [.. list];
    }
    static bool IsPlain(Type t) => t.IsPrimitive || t.IsEnum || (t.IsValueType && Fields(t).All(f => IsPlain(f.FieldType)));
    static long ElemSize(Type t) => !t.IsValueType ? 8 : t.IsEnum ? ElemSize(Enum.GetUnderlyingType(t)) : t.IsPrimitive ? System.Runtime.InteropServices.Marshal.SizeOf(t == typeof(bool) ? typeof(byte) : t == typeof(char) ? typeof(short) : t) : Fields(t).Sum(f => ElemSize(f.FieldType));
    static string Short(Type t) => t.IsGenericType ? t.Name.Split('`')[0] + "<" + string.Join(",", t.GetGenericArguments().Select(Short)) + ">" : t.IsArray ? Short(t.GetElementType()!) + "[]" : t.Name;
}
