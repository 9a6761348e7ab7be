using System.Collections.Immutable;

namespace UnsafeScope.Semantics;

/// <summary>
/// Reads a type as the source writes it (<c>*const [u8; 4]</c>, <c>&amp;'a mut Foo&lt;T&gt;</c>, <c>unsafe extern "C" fn(i32) -&gt; u8</c>)
/// into a <see cref="RustType"/>. Paths go to <paramref name="resolvePath"/> (the compilation's name resolution in the
/// item's scope); <c>dyn</c>/<c>impl</c> trait types, qualified paths and anything unreadable are unknown.
/// </summary>
internal sealed class TypeText(string text, Func<string, ImmutableArray<RustType>, RustType> resolvePath)
{
    private readonly List<string> _tokens = Tokenize(text);
    private int _pos;

    public static RustType Parse(string text, Func<string, ImmutableArray<RustType>, RustType> resolvePath)
    {
        if (string.IsNullOrWhiteSpace(text)) return RustType.Unknown;
        try
        {
            var p = new TypeText(text, resolvePath);
            var t = p.Type(0);
            return p._pos == p._tokens.Count ? t : RustType.Unknown;
        }
        catch (FormatException)
        {
            return RustType.Unknown;
        }
    }

    private string Peek => _pos < _tokens.Count ? _tokens[_pos] : "";

    private string Next() => _pos < _tokens.Count ? _tokens[_pos++] : throw new FormatException();

    private void Expect(string t)
    {
        if (Next() != t) throw new FormatException();
    }

    private RustType Type(int depth)
    {
        if (depth > 24) throw new FormatException();
        var t = Next();
        switch (t)
        {
            case "*":
            {
                var m = Next();
                if (m is not ("const" or "mut")) throw new FormatException();
                return new RawPointerType(m == "mut", Type(depth + 1));
            }
            case "&" or "&&":
            {
                string lifetime = Peek.StartsWith('\'') ? Next() : "";
                bool mut = Peek == "mut" && Next() == "mut";
                var inner = new ReferenceType(mut, lifetime, Type(depth + 1));
                return t == "&&" ? new ReferenceType(false, "", inner) : inner;
            }
            case "[":
            {
                var element = Type(depth + 1);
                if (Peek == "]")
                {
                    Next();
                    return new SliceType(element, null);
                }
                Expect(";");
                var len = new List<string>();
                int nest = 0;
                while (Peek != "]" || nest > 0)
                {
                    var x = Next();
                    if (x is "[" or "(" or "{") nest++;
                    else if (x is "]" or ")" or "}") nest--;
                    len.Add(x);
                }
                Next();
                return new SliceType(element, string.Join("", len));
            }
            case "(":
            {
                var elements = ImmutableArray.CreateBuilder<RustType>();
                bool comma = false;
                while (Peek != ")")
                {
                    elements.Add(Type(depth + 1));
                    if (Peek == ",") { Next(); comma = true; }
                    else break;
                }
                Expect(")");
                return elements.Count == 1 && !comma ? elements[0] : new TupleType(elements.ToImmutable());
            }
            case "!":
                return RustType.Never;
            case "_":
                return RustType.Unknown;
            case "dyn" or "impl":
                SkipBounds(depth);
                return RustType.Unknown;
            case "<":
                // <T as Trait>::Assoc: not resolved.
                while (_pos < _tokens.Count) Next();
                return RustType.Unknown;
            case "unsafe" or "extern" or "fn" or "for":
                _pos--;
                return FnPointer(depth);
            default:
                _pos--;
                return PathType(depth);
        }
    }

    private void SkipBounds(int depth)
    {
        int nest = 0;
        while (_pos < _tokens.Count)
        {
            var x = Peek;
            if (nest == 0 && x is "," or ">" or ")" or "]" or ";") return;
            if (x is "<" or "(" or "[") nest++;
            else if (x is ">" or ")" or "]") nest--;
            Next();
        }
    }

    private RustType FnPointer(int depth)
    {
        if (Peek == "for")
        {
            Next();
            Expect("<");
            while (Next() != ">") { }
        }
        bool isUnsafe = false;
        string abi = "";
        if (Peek == "unsafe") { Next(); isUnsafe = true; }
        if (Peek == "extern")
        {
            Next();
            abi = Peek.StartsWith('"') ? Next().Trim('"') : "C";
        }
        Expect("fn");
        Expect("(");
        var ps = ImmutableArray.CreateBuilder<RustType>();
        while (Peek != ")")
        {
            // `name: Type` parameters are allowed in fn pointer types.
            if (_pos + 1 < _tokens.Count && _tokens[_pos + 1] == ":" && IsIdent(Peek)) _pos += 2;
            if (Peek == "...") { Next(); }
            else ps.Add(Type(depth + 1));
            if (Peek == ",") Next();
            else break;
        }
        Expect(")");
        RustType ret = RustType.Unit;
        if (Peek == "->")
        {
            Next();
            ret = Type(depth + 1);
        }
        return new FunctionPointerType(isUnsafe, abi, ps.ToImmutable(), ret);
    }

    private RustType PathType(int depth)
    {
        var segments = new List<string>();
        var args = ImmutableArray<RustType>.Empty;
        if (Peek == "::") Next();
        while (true)
        {
            var seg = Next();
            if (!IsIdent(seg)) throw new FormatException();
            segments.Add(seg);
            if (Peek == "<" || (Peek == "::" && _pos + 1 < _tokens.Count && _tokens[_pos + 1] == "<"))
            {
                if (Peek == "::") Next();
                args = GenericArguments(depth);
            }
            else if (Peek == "(" && seg is "Fn" or "FnMut" or "FnOnce")
            {
                // Fn(A) -> R sugar: a trait, unknown as a type.
                SkipBounds(depth);
                return RustType.Unknown;
            }
            if (Peek != "::") break;
            Next();
        }
        return resolvePath(string.Join("::", segments), args);
    }

    private ImmutableArray<RustType> GenericArguments(int depth)
    {
        Expect("<");
        var args = ImmutableArray.CreateBuilder<RustType>();
        while (Peek != ">")
        {
            if (Peek.StartsWith('\'')) Next();
            else if (_pos + 1 < _tokens.Count && _tokens[_pos + 1] == "=" && IsIdent(Peek))
            {
                _pos += 2;
                Type(depth + 1); // Item = T: an associated type binding
            }
            else if (Peek == "{")
            {
                int nest = 0;
                do
                {
                    var x = Next();
                    if (x == "{") nest++;
                    else if (x == "}") nest--;
                } while (nest > 0);
            }
            else if (Peek.Length > 0 && char.IsAsciiDigit(Peek[0])) Next();
            else args.Add(Type(depth + 1));
            if (Peek == ",") Next();
            else if (Peek == "+") SkipBounds(depth);
            else break;
        }
        Expect(">");
        return args.ToImmutable();
    }

    private static bool IsIdent(string s) => s.Length > 0 && (char.IsLetter(s[0]) || s[0] == '_' || s[0] == '$');

    private static List<string> Tokenize(string s)
    {
        var list = new List<string>();
        int i = 0;
        while (i < s.Length)
        {
            char c = s[i];
            if (char.IsWhiteSpace(c)) { i++; continue; }
            if (c == '/' && i + 1 < s.Length && s[i + 1] == '/')
            {
                while (i < s.Length && s[i] != '\n') i++;
                continue;
            }
            if (c == '/' && i + 1 < s.Length && s[i + 1] == '*')
            {
                int end = s.IndexOf("*/", i + 2, StringComparison.Ordinal);
                i = end < 0 ? s.Length : end + 2;
                continue;
            }
            if (char.IsLetterOrDigit(c) || c == '_' || c == '$' || c == '\'')
            {
                int start = i++;
                while (i < s.Length && (char.IsLetterOrDigit(s[i]) || s[i] == '_')) i++;
                if (c == '\'' && i < s.Length && s[i] == '\'') i++; // a char literal in an array length
                list.Add(s[start..i]);
                continue;
            }
            if (c == '"')
            {
                int end = s.IndexOf('"', i + 1);
                if (end < 0) throw new FormatException();
                list.Add(s[i..(end + 1)]);
                i = end + 1;
                continue;
            }
            if (i + 1 < s.Length)
            {
                var two = s.Substring(i, 2);
                if (two is "::" or "->" or "&&")
                {
                    list.Add(two);
                    i += 2;
                    continue;
                }
            }
            if (i + 2 < s.Length && s.Substring(i, 3) == "...")
            {
                list.Add("...");
                i += 3;
                continue;
            }
            list.Add(c.ToString());
            i++;
        }
        return list;
    }
}
