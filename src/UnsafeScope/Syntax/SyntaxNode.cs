using UnsafeScope.Syntax.Native;
using UnsafeScope.Text;

namespace UnsafeScope.Syntax;

/// <summary>
/// A node of a <see cref="RustSyntaxTree"/>: a cheap value (tree + index), so walking allocates nothing.
/// Anonymous tokens (<c>unsafe</c>, <c>{</c>, …) are nodes too; <see cref="IsNamed"/> tells them apart.
/// </summary>
public readonly struct SyntaxNode : IEquatable<SyntaxNode>
{
    internal SyntaxNode(RustSyntaxTree tree, int index)
    {
        Tree = tree;
        Index = index;
    }

    /// <summary>The tree this node belongs to.</summary>
    public RustSyntaxTree Tree { get; }

    /// <summary>Preorder position in the tree: a stable id within one tree.</summary>
    public int Index { get; }

    private ref readonly NodeRecord Record => ref Tree.Node(Index);

    /// <summary>The node kind.</summary>
    public RustSyntaxKind Kind => Tree.KindAt(Index);

    /// <summary>The field this node fills in its parent, or <see cref="RustSyntaxField.None"/>.</summary>
    public RustSyntaxField Field => Tree.FieldAt(Index);

    /// <summary>Named node (as opposed to an anonymous token such as <c>unsafe</c> or <c>{</c>).</summary>
    public bool IsNamed => (Record.Flags & NodeRecord.FlagNamed) != 0;

    /// <summary>A token the parser inserted to recover from an error (zero width).</summary>
    public bool IsMissing => (Record.Flags & NodeRecord.FlagMissing) != 0;

    /// <summary>An extra, such as a comment, that can appear anywhere.</summary>
    public bool IsExtra => (Record.Flags & NodeRecord.FlagExtra) != 0;

    /// <summary>An ERROR node.</summary>
    public bool IsError => (Record.Flags & NodeRecord.FlagError) != 0;

    /// <summary>True when this node or a descendant is an ERROR or MISSING node.</summary>
    public bool ContainsErrors => (Record.Flags & (NodeRecord.FlagHasError | NodeRecord.FlagError | NodeRecord.FlagMissing)) != 0;

    /// <summary>The UTF-8 byte span.</summary>
    public TextSpan Span => TextSpan.FromBounds((int)Record.StartByte, (int)Record.EndByte);

    /// <summary>The node's location (path, span, lines and UTF-16 columns).</summary>
    public Location Location => Tree.GetLocation(Span);

    /// <summary>0-based line of the first byte.</summary>
    public int StartLine => Tree.Text.GetLineIndex((int)Record.StartByte);

    /// <summary>0-based line of the last byte (the start line for empty nodes).</summary>
    public int EndLine => Tree.Text.GetLineIndex(Math.Max((int)Record.StartByte, (int)Record.EndByte - 1));

    /// <summary>The source bytes of this node.</summary>
    public ReadOnlySpan<byte> Utf8Text => Tree.Text.Bytes[(int)Record.StartByte..(int)Record.EndByte];

    /// <summary>The source text of this node (allocates; prefer <see cref="TextEquals"/> when comparing).</summary>
    public string Text => StringTable.FromUtf8(Utf8Text);

    /// <summary>Compares the node's text with an ASCII string without allocating.</summary>
    public bool TextEquals(string ascii)
    {
        var bytes = Utf8Text;
        if (bytes.Length != ascii.Length) return false;
        for (int i = 0; i < bytes.Length; i++)
            if (bytes[i] != ascii[i]) return false;
        return true;
    }

    /// <summary>The parent, or null for the root.</summary>
    public SyntaxNode? Parent => Record.Parent == NodeRecord.None ? null : new SyntaxNode(Tree, (int)Record.Parent);

    /// <summary>The next sibling (named or not), or null.</summary>
    public SyntaxNode? NextSibling
    {
        get
        {
            uint next = Record.SubtreeEnd;
            uint parent = Record.Parent;
            if (parent == NodeRecord.None || next >= Tree.Node((int)parent).SubtreeEnd) return null;
            return new SyntaxNode(Tree, (int)next);
        }
    }

    /// <summary>The previous sibling (named or not), or null.</summary>
    public SyntaxNode? PreviousSibling => Record.PrevSibling == NodeRecord.None ? null : new SyntaxNode(Tree, (int)Record.PrevSibling);

    /// <summary>The next sibling that is not a comment, or null.</summary>
    public SyntaxNode? NextNonTriviaSibling
    {
        get
        {
            for (var s = NextSibling; s is { } n; s = n.NextSibling)
                if (!n.IsComment) return n;
            return null;
        }
    }

    /// <summary>The previous sibling that is not a comment, or null.</summary>
    public SyntaxNode? PreviousNonTriviaSibling
    {
        get
        {
            for (var s = PreviousSibling; s is { } n; s = n.PreviousSibling)
                if (!n.IsComment) return n;
            return null;
        }
    }

    /// <summary>True for line and block comments (including doc comments).</summary>
    public bool IsComment => Kind is RustSyntaxKind.LineComment or RustSyntaxKind.BlockComment;

    /// <summary>True when the node has no children.</summary>
    public bool IsLeaf => Record.SubtreeEnd == (uint)Index + 1;

    /// <summary>Direct children, named and anonymous, in order.</summary>
    public ChildEnumerable Children => new(this);

    /// <summary>This node and every descendant, in preorder (an index range: O(1) to create, no allocation).</summary>
    public SyntaxNodeRange DescendantsAndSelf => new(Tree, Index, (int)Record.SubtreeEnd);

    /// <summary>Every descendant in preorder.</summary>
    public SyntaxNodeRange Descendants => new(Tree, Index + 1, (int)Record.SubtreeEnd);

    /// <summary>True when <paramref name="other"/> is this node or lies below it.</summary>
    public bool Contains(SyntaxNode other) => other.Tree == Tree && other.Index >= Index && other.Index < Record.SubtreeEnd;

    /// <summary>The first child in <paramref name="field"/>, or null.</summary>
    public SyntaxNode? ChildByField(RustSyntaxField field)
    {
        foreach (var c in Children)
            if (c.Field == field) return c;
        return null;
    }

    /// <summary>The first child of <paramref name="kind"/>, or null.</summary>
    public SyntaxNode? ChildOfKind(RustSyntaxKind kind)
    {
        foreach (var c in Children)
            if (c.Kind == kind) return c;
        return null;
    }

    /// <summary>True when a direct child is the token or node <paramref name="kind"/>.</summary>
    public bool HasChild(RustSyntaxKind kind) => ChildOfKind(kind) is not null;

    /// <summary>The nearest ancestor (not this node) satisfying <paramref name="predicate"/>.</summary>
    public SyntaxNode? FirstAncestor(Func<SyntaxNode, bool> predicate)
    {
        for (var p = Parent; p is { } n; p = n.Parent)
            if (predicate(n)) return n;
        return null;
    }

    /// <summary>The nearest ancestor (not this node) of one of <paramref name="kinds"/>.</summary>
    public SyntaxNode? FirstAncestorOfKind(params ReadOnlySpan<RustSyntaxKind> kinds)
    {
        for (var p = Parent; p is { } n; p = n.Parent)
            if (kinds.Contains(n.Kind)) return n;
        return null;
    }

    /// <inheritdoc />
    public bool Equals(SyntaxNode other) => Tree == other.Tree && Index == other.Index;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is SyntaxNode n && Equals(n);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Tree, Index);

    /// <summary>Equality by tree and position.</summary>
    public static bool operator ==(SyntaxNode left, SyntaxNode right) => left.Equals(right);

    /// <summary>Inequality by tree and position.</summary>
    public static bool operator !=(SyntaxNode left, SyntaxNode right) => !left.Equals(right);

    /// <inheritdoc />
    public override string ToString() => $"{Kind} {Location.LineSpan}";

    /// <summary>Enumerates the direct children of a node without allocating.</summary>
    public readonly struct ChildEnumerable(SyntaxNode parent)
    {
        /// <summary>Gets the enumerator.</summary>
        public ChildEnumerator GetEnumerator() => new(parent);

        /// <summary>Materializes the children.</summary>
        public List<SyntaxNode> ToList()
        {
            var list = new List<SyntaxNode>();
            foreach (var c in this) list.Add(c);
            return list;
        }
    }

    /// <summary>Enumerator over direct children.</summary>
    public struct ChildEnumerator
    {
        private readonly RustSyntaxTree _tree;
        private readonly int _end;
        private int _next;
        private int _current;

        internal ChildEnumerator(SyntaxNode parent)
        {
            _tree = parent.Tree;
            _end = (int)parent.Tree.Node(parent.Index).SubtreeEnd;
            _next = parent.Index + 1;
            _current = -1;
        }

        /// <summary>The current child.</summary>
        public readonly SyntaxNode Current => new(_tree, _current);

        /// <summary>Moves to the next child.</summary>
        public bool MoveNext()
        {
            if (_next >= _end) return false;
            _current = _next;
            _next = (int)_tree.Node(_current).SubtreeEnd;
            return true;
        }
    }
}

/// <summary>A preorder run of nodes [start, end): a subtree or the whole tree.</summary>
public readonly struct SyntaxNodeRange(RustSyntaxTree tree, int start, int end)
{
    /// <summary>Number of nodes.</summary>
    public int Count => end - start;

    /// <summary>Gets the enumerator.</summary>
    public Enumerator GetEnumerator() => new(tree, start, end);

    /// <summary>Enumerator over the range.</summary>
    public struct Enumerator(RustSyntaxTree tree, int start, int end)
    {
        private int _index = start - 1;

        /// <summary>The current node.</summary>
        public readonly SyntaxNode Current => new(tree, _index);

        /// <summary>Moves to the next node.</summary>
        public bool MoveNext() => ++_index < end;
    }
}
