using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using BpfSharp.Analyzers.HelperCalls.Rules;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using Microsoft.CodeAnalysis.Text;

namespace BpfSharp.Analyzers.HelperCalls
{
    /// <summary>
    /// Which programs reach a method through calls, and by which chain, asked from the method's own body so that an IDE
    /// shows the verdicts while that file is typed. Built on demand, once per compilation: an index of where the text of
    /// the files names source members narrows the callers to check; a caller is confirmed from syntax where that is sure,
    /// else its body is bound (through the compilation's shared semantic models, so a build binds nothing twice).
    /// </summary>
    internal sealed class CallGraph
    {
        private readonly Compilation _compilation;
        private readonly BpfSymbols _symbols;
        private readonly ConcurrentDictionary<IMethodSymbol, MethodCalls> _calls = new ConcurrentDictionary<IMethodSymbol, MethodCalls>(SymbolEqualityComparer.Default);
        private readonly ConcurrentDictionary<IMethodSymbol, IMethodSymbol[]> _callers = new ConcurrentDictionary<IMethodSymbol, IMethodSymbol[]>(SymbolEqualityComparer.Default);
        private readonly ConcurrentDictionary<SyntaxNode, IMethodSymbol?> _declared = new ConcurrentDictionary<SyntaxNode, IMethodSymbol?>();
        private readonly Lazy<Dictionary<string, Dictionary<SyntaxTree, List<int>>>> _mentions;

        public CallGraph(Compilation compilation, BpfSymbols symbols)
        {
            _compilation = compilation;
            _symbols = symbols;
            _mentions = new Lazy<Dictionary<string, Dictionary<SyntaxTree, List<int>>>>(IndexWords, LazyThreadSafetyMode.ExecutionAndPublication);
        }

        /// <summary>A method's calls: the source methods it calls or passes as delegates, and its helper calls.</summary>
        internal sealed class MethodCalls
        {
            public MethodCalls(IMethodSymbol[] callees, ImmutableArray<HelperCall> helperCalls, ImmutableArray<IInvocationOperation> packetLoads)
            {
                Callees = callees;
                HelperCalls = helperCalls;
                PacketLoads = packetLoads;
            }

            /// <summary>In declaration order, so that the chain a report names is the same in every build.</summary>
            public IMethodSymbol[] Callees { get; }

            public ImmutableArray<HelperCall> HelperCalls { get; }

            /// <summary>BpfPacket loads (BPF_LD_ABS), which only some program types may use.</summary>
            public ImmutableArray<IInvocationOperation> PacketLoads { get; }
        }

        /// <summary>The calls in the operation blocks the analyzer driver hands over for a method (kept for later questions).</summary>
        [System.Runtime.CompilerServices.MethodImpl(BpfSharp.Compiler.HotPath.Optimized)]
        public MethodCalls Record(IMethodSymbol method, IEnumerable<IOperation> blocks) =>
            _calls.GetOrAdd(method, _ => Read(blocks));

        /// <summary>Every program other than the method itself that reaches it, in declaration order, with the shortest chain.</summary>
        [System.Runtime.CompilerServices.MethodImpl(BpfSharp.Compiler.HotPath.Optimized)]
        public IReadOnlyList<(IMethodSymbol Program, string Chain)> ProgramsReaching(IMethodSymbol method, CancellationToken cancellationToken)
        {
            // Callers first (the methods that reach the method, and their calls among themselves), then each program's chain.
            var calls = new Dictionary<IMethodSymbol, List<IMethodSymbol>>(SymbolEqualityComparer.Default);
            var programs = new List<IMethodSymbol>();
            var visited = new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default) { method };
            var queue = new Queue<IMethodSymbol>();
            queue.Enqueue(method);
            while (queue.Count > 0)
            {
                var callee = queue.Dequeue();
                foreach (var caller in CallersOf(callee, cancellationToken))
                {
                    if (!calls.TryGetValue(caller, out var callees))
                    {
                        calls[caller] = callees = new List<IMethodSymbol>();
                    }

                    callees.Add(callee);
                    if (visited.Add(caller))
                    {
                        queue.Enqueue(caller);
                        if (_symbols.IsProgram(caller))
                        {
                            programs.Add(caller);
                        }
                    }
                }
            }

            if (programs.Count == 0)
            {
                return Array.Empty<(IMethodSymbol, string)>();
            }

            foreach (var callees in calls.Values)
            {
                callees.Sort(DeclarationOrder.Instance);
            }

            programs.Sort(DeclarationOrder.Instance);
            return programs.Select(p => (p, ChainFrom(p, method, calls))).ToArray();
        }

        // Each callee's callers are found once per compilation: every method down a chain asks for the same ones.
        private IMethodSymbol[] CallersOf(IMethodSymbol callee, CancellationToken cancellationToken) =>
            _callers.TryGetValue(callee, out var known) ? known : _callers.GetOrAdd(callee, FindCallers(callee, cancellationToken));

        [System.Runtime.CompilerServices.MethodImpl(BpfSharp.Compiler.HotPath.Optimized)]
        private IMethodSymbol[] FindCallers(IMethodSymbol callee, CancellationToken cancellationToken)
        {
            if (!_mentions.Value.TryGetValue(callee.Name, out var mentions))
            {
                return Array.Empty<IMethodSymbol>();
            }

            // A private method is called only from inside its type's declarations.
            var isPrivate = callee.DeclaredAccessibility == Accessibility.Private;
            var places = isPrivate
                ? callee.ContainingType.DeclaringSyntaxReferences.Select(type => (type.SyntaxTree, (TextSpan?)type.Span))
                : mentions.Keys.Select(tree => (tree, (TextSpan?)null));
            var unique = callee.ContainingType.GetMembers(callee.Name).Length == 1;
            var callers = new List<IMethodSymbol>();
            foreach (var (tree, span) in places)
            {
                if (!mentions.TryGetValue(tree, out var positions))
                {
                    continue;
                }

                // The mentions by the member whose body holds them (positions are in text order: a type's are one run).
                var root = tree.GetRoot(cancellationToken);
                var members = new Dictionary<SyntaxNode, List<int>>();
                var (first, end) = span is TextSpan range ? (FirstAtOrAfter(positions, range.Start), FirstAtOrAfter(positions, range.End)) : (0, positions.Count);
                for (var i = first; i < end; i++)
                {
                    var position = positions[i];
                    if (MemberAt(root, position) is SyntaxNode member)
                    {
                        if (!members.TryGetValue(member, out var at))
                        {
                            members[member] = at = new List<int>();
                        }

                        at.Add(position);
                    }
                }

                foreach (var member in members.OrderBy(m => m.Key.SpanStart))
                {
                    if (DeclaredMethod(member.Key, cancellationToken) is not IMethodSymbol caller)
                    {
                        continue;
                    }

                    // A caller the driver has analysed already is known; else syntax may be sure; else its body is bound.
                    var calls = _calls.TryGetValue(caller, out var recorded) ? recorded : null;
                    if (calls is null && isPrivate && unique && span is TextSpan typeSpan && member.Value.Exists(position => CertainlyNames(root, position, member.Key, typeSpan)))
                    {
                        callers.Add(caller);
                    }
                    else if ((calls ?? CallsOf(caller, cancellationToken)).Callees.Contains(callee, SymbolEqualityComparer.Default))
                    {
                        callers.Add(caller);
                    }
                }
            }

            return callers.ToArray();
        }

        // The index of the first position at or after a point, in sorted positions.
        private static int FirstAtOrAfter(List<int> positions, int point)
        {
            var index = positions.BinarySearch(point);
            return index >= 0 ? index : ~index;
        }

        // Whether a mention surely calls (or passes) the private method it names, without binding: an unqualified name,
        // called or passed, directly inside the method's own type declaration, the type's only member of that name, and
        // nothing in the member's body declaring the name again. Anything else is bound.
        private static bool CertainlyNames(SyntaxNode root, int position, SyntaxNode member, TextSpan typeSpan)
        {
            if (root.FindToken(position).Parent is not IdentifierNameSyntax name
                || !((name.Parent is InvocationExpressionSyntax invocation && invocation.Expression == name) || name.Parent is ArgumentSyntax)
                || name.Parent?.Parent?.Parent is InvocationExpressionSyntax { Expression: IdentifierNameSyntax { Identifier.ValueText: "nameof" } })
            {
                return false; // nameof(Method) names it without calling it: binding says so
            }

            var type = name.FirstAncestorOrSelf<TypeDeclarationSyntax>();
            if (type is null || type.Span != typeSpan)
            {
                return false;
            }

            var text = name.Identifier.ValueText;
            foreach (var node in member.DescendantNodes())
            {
                if (node is QueryExpressionSyntax)
                {
                    return false; // range variables: bound rather than listed
                }

                var declared = node switch
                {
                    LocalFunctionStatementSyntax local => local.Identifier,
                    VariableDeclaratorSyntax variable => variable.Identifier,
                    ParameterSyntax parameter => parameter.Identifier,
                    SingleVariableDesignationSyntax designation => designation.Identifier,
                    ForEachStatementSyntax loop => loop.Identifier,
                    CatchDeclarationSyntax exception => exception.Identifier,
                    _ => default,
                };
                if (declared.ValueText == text)
                {
                    return false;
                }
            }

            return true;
        }

        // The member declaration whose body holds a position: what can call a method from there.
        [System.Runtime.CompilerServices.MethodImpl(BpfSharp.Compiler.HotPath.Optimized)]
        private static SyntaxNode? MemberAt(SyntaxNode root, int position)
        {
            for (var node = root.FindToken(position).Parent; node != null; node = node.Parent)
            {
                switch (node)
                {
                    case BaseMethodDeclarationSyntax method when (method.Body?.Span ?? method.ExpressionBody?.Span)?.Contains(position) == true:
                    case AccessorDeclarationSyntax accessor when (accessor.Body?.Span ?? accessor.ExpressionBody?.Span)?.Contains(position) == true:
                    case PropertyDeclarationSyntax property when property.ExpressionBody?.Span.Contains(position) == true:
                    case IndexerDeclarationSyntax indexer when indexer.ExpressionBody?.Span.Contains(position) == true:
                        return node;
                    case BaseTypeDeclarationSyntax:
                        return null;
                }
            }

            return null;
        }

        // Breadth first from the program through callees in declaration order (only calls towards the method matter: the
        // shortest chain passes through nothing else, and the order among those is the whole graph's).
        private static string ChainFrom(IMethodSymbol program, IMethodSymbol target, Dictionary<IMethodSymbol, List<IMethodSymbol>> calls)
        {
            var previous = new Dictionary<IMethodSymbol, IMethodSymbol>(SymbolEqualityComparer.Default) { [program] = program };
            var queue = new Queue<IMethodSymbol>();
            queue.Enqueue(program);
            while (queue.Count > 0 && !previous.ContainsKey(target))
            {
                var method = queue.Dequeue();
                if (!calls.TryGetValue(method, out var callees))
                {
                    continue;
                }

                foreach (var callee in callees)
                {
                    if (!previous.ContainsKey(callee))
                    {
                        previous[callee] = method;
                        queue.Enqueue(callee);
                    }
                }
            }

            var names = new List<string>();
            for (var current = target; ; current = previous[current])
            {
                names.Add(current.Name);
                if (SymbolEqualityComparer.Default.Equals(previous[current], current))
                {
                    break;
                }
            }

            names.Reverse();
            return string.Join(" -> ", names);
        }

        private MethodCalls CallsOf(IMethodSymbol method, CancellationToken cancellationToken) =>
            _calls.GetOrAdd(method, m => Read(Bodies(m, cancellationToken)));

        // The operation trees of a method's declarations, from the compilation's (shared) semantic models.
        private IEnumerable<IOperation> Bodies(IMethodSymbol method, CancellationToken cancellationToken)
        {
            foreach (var reference in method.DeclaringSyntaxReferences)
            {
                var syntax = reference.GetSyntax(cancellationToken);
                var operation = _compilation.GetSemanticModel(syntax.SyntaxTree).GetOperation(syntax, cancellationToken);
                if (operation != null)
                {
                    yield return operation;
                }
            }
        }

        [System.Runtime.CompilerServices.MethodImpl(BpfSharp.Compiler.HotPath.Optimized)]
        private MethodCalls Read(IEnumerable<IOperation> blocks)
        {
            var callees = new List<IMethodSymbol>();
            var helperCalls = ImmutableArray.CreateBuilder<HelperCall>();
            var packetLoads = ImmutableArray.CreateBuilder<IInvocationOperation>();
            // Pre-order, children in order (as Descendants), on one stack: Descendants nests an iterator per level.
            var pending = new Stack<IOperation>();
            foreach (var block in blocks)
            {
                pending.Push(block);
                while (pending.Count > 0)
                {
                    var operation = pending.Pop();
                    switch (operation)
                    {
                        case IInvocationOperation invocation:
                            if (HelperCall.From(_symbols, invocation) is HelperCall call)
                            {
                                helperCalls.Add(call);
                            }
                            else if (PacketLoadRule.IsPacketLoad(invocation))
                            {
                                packetLoads.Add(invocation);
                            }
                            else
                            {
                                AddCallee(callees, invocation.TargetMethod);
                            }

                            break;
                        case IMethodReferenceOperation reference:
                            // A method passed as a delegate may run as part of the program: count it as called.
                            AddCallee(callees, reference.Method);
                            break;
                    }

                    foreach (var child in operation.ChildOperations.Reverse())
                    {
                        pending.Push(child);
                    }
                }
            }

            var sorted = callees.Distinct<IMethodSymbol>(SymbolEqualityComparer.Default).ToArray();
            if (sorted.Length > 1)
            {
                Array.Sort(sorted, DeclarationOrder.Instance);
            }

            return new MethodCalls(sorted, helperCalls.ToImmutable(), packetLoads.ToImmutable());
        }

        private static void AddCallee(List<IMethodSymbol> callees, IMethodSymbol target)
        {
            target = target.OriginalDefinition;
            if (target.MethodKind != MethodKind.LocalFunction && target.MethodKind != MethodKind.AnonymousFunction && IsInSource(target))
            {
                callees.Add(Member(target) ?? target);
            }
        }

        private IMethodSymbol? DeclaredMethod(SyntaxNode declaration, CancellationToken cancellationToken) =>
            _declared.GetOrAdd(declaration, d =>
            {
                var model = _compilation.GetSemanticModel(d.SyntaxTree);
                return model.GetDeclaredSymbol(d, cancellationToken) switch
                {
                    IMethodSymbol method => method,
                    IPropertySymbol property => property.GetMethod,
                    _ => null,
                };
            });

        // Member name -> where the text of the compilation's files has it: the only places that can call a method of that name.
        // A scan of the text, not of syntax trees: comments and strings may add places, which binding then rules out.
        // Calls from generated files are not analysed (as with every action here).
        [System.Runtime.CompilerServices.MethodImpl(BpfSharp.Compiler.HotPath.Optimized)]
        private Dictionary<string, Dictionary<SyntaxTree, List<int>>> IndexWords()
        {
            // Only the names members of source types have: a word is looked up by its hash, without a string per word.
            var names = new Dictionary<ulong, string>();
            foreach (var name in SourceMemberNames(_compilation.Assembly.GlobalNamespace))
            {
                names[WordHash(name, 0, name.Length)] = name;
            }

            var words = new Dictionary<string, Dictionary<SyntaxTree, List<int>>>(StringComparer.Ordinal);
            foreach (var tree in _compilation.SyntaxTrees)
            {
                if (IsGenerated(tree))
                {
                    continue;
                }

                var text = tree.GetText().ToString();
                for (var i = 0; i < text.Length; i++)
                {
                    if (!IsWordStart(text[i]) || (i > 0 && IsWordPart(text[i - 1])))
                    {
                        continue;
                    }

                    // One pass: the word's hash is built as its end is found.
                    var start = i;
                    var hash = FnvOffset;
                    for (; i < text.Length && IsWordPart(text[i]); i++)
                    {
                        hash = HashStep(hash, text[i]);
                    }

                    var length = i - start;
                    if (!names.TryGetValue(hash, out var word) || word.Length != length || string.CompareOrdinal(text, start, word, 0, length) != 0)
                    {
                        continue;
                    }

                    if (!words.TryGetValue(word, out var trees))
                    {
                        words[word] = trees = new Dictionary<SyntaxTree, List<int>>();
                    }

                    if (!trees.TryGetValue(tree, out var positions))
                    {
                        trees[tree] = positions = new List<int>();
                    }

                    positions.Add(start);
                }
            }

            return words;
        }

        private static IEnumerable<string> SourceMemberNames(INamespaceOrTypeSymbol container)
        {
            foreach (var member in container.GetMembers())
            {
                if (member is INamespaceSymbol space)
                {
                    foreach (var name in SourceMemberNames(space))
                    {
                        yield return name;
                    }
                }
                else if (member is INamedTypeSymbol type)
                {
                    foreach (var name in type.MemberNames)
                    {
                        yield return name;
                    }

                    foreach (var name in SourceMemberNames(type))
                    {
                        yield return name;
                    }
                }
            }
        }

        private const ulong FnvOffset = 14695981039346656037UL;
        private const ulong FnvPrime = 1099511628211UL;

        // FNV-1a over a word's characters.
        private static ulong WordHash(string text, int start, int length)
        {
            var hash = FnvOffset;
            for (var i = start; i < start + length; i++)
            {
                hash = HashStep(hash, text[i]);
            }

            return hash;
        }

        private static ulong HashStep(ulong hash, char c) => (hash ^ c) * FnvPrime;

        // Roslyn's own test for generated files, which it does not expose: the name, or an <auto-generated> header.
        private static bool IsGenerated(SyntaxTree tree)
        {
            var name = System.IO.Path.GetFileName(tree.FilePath);
            if (name.EndsWith(".g.cs", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".generated.cs", StringComparison.OrdinalIgnoreCase)
                || name.EndsWith(".designer.cs", StringComparison.OrdinalIgnoreCase) || name.StartsWith("TemporaryGeneratedFile_", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }

            foreach (var trivia in tree.GetRoot().GetLeadingTrivia())
            {
                if ((trivia.IsKind(SyntaxKind.SingleLineCommentTrivia) || trivia.IsKind(SyntaxKind.MultiLineCommentTrivia))
                    && trivia.ToString().IndexOf("<auto-generated", StringComparison.OrdinalIgnoreCase) >= 0)
                {
                    return true;
                }
            }

            return false;
        }

        private static bool IsWordStart(char c) => c < 128 ? (c | 0x20) >= 'a' && (c | 0x20) <= 'z' || c == '_' : char.IsLetter(c);

        private static bool IsWordPart(char c) => c < 128 ? (c | 0x20) >= 'a' && (c | 0x20) <= 'z' || c == '_' || (c >= '0' && c <= '9') : char.IsLetterOrDigit(c);

        private static bool IsInSource(ISymbol symbol)
        {
            foreach (var location in symbol.Locations)
            {
                if (location.IsInSource)
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>The method whose body holds the code: lambdas and local functions belong to the method that contains them.</summary>
        public static IMethodSymbol? Member(ISymbol? symbol)
        {
            for (var current = symbol; current != null && current is not INamedTypeSymbol; current = current.ContainingSymbol)
            {
                if (current is IMethodSymbol method && method.MethodKind != MethodKind.LocalFunction && method.MethodKind != MethodKind.AnonymousFunction)
                {
                    return method;
                }
            }

            return null;
        }

        /// <summary>Source methods by file path, then position.</summary>
        private sealed class DeclarationOrder : IComparer<IMethodSymbol>
        {
            public static readonly DeclarationOrder Instance = new DeclarationOrder();

            public int Compare(IMethodSymbol? x, IMethodSymbol? y)
            {
                var left = x!.Locations[0];
                var right = y!.Locations[0];
                var byFile = string.CompareOrdinal(left.SourceTree?.FilePath, right.SourceTree?.FilePath);
                return byFile != 0 ? byFile : left.SourceSpan.Start.CompareTo(right.SourceSpan.Start);
            }
        }
    }
}
