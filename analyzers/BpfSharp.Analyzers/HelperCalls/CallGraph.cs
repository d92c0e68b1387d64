using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using Microsoft.CodeAnalysis.Text;

namespace BpfSharp.Analyzers.HelperCalls
{
    /// <summary>
    /// Which programs reach a method through calls, and by which chain, asked from the method's own body so that an IDE
    /// shows the verdicts while that file is typed. Built on demand, once per compilation: a syntax index of the names
    /// each body mentions narrows the callers to check, and only those bodies are bound (through the compilation's
    /// shared semantic models, so a build binds nothing twice).
    /// </summary>
    internal sealed class CallGraph
    {
        private readonly Compilation _compilation;
        private readonly BpfSymbols _symbols;
        private readonly ConcurrentDictionary<IMethodSymbol, MethodCalls> _calls = new ConcurrentDictionary<IMethodSymbol, MethodCalls>(SymbolEqualityComparer.Default);
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
            public MethodCalls(IMethodSymbol[] callees, ImmutableArray<HelperCall> helperCalls)
            {
                Callees = callees;
                HelperCalls = helperCalls;
            }

            /// <summary>In declaration order, so that the chain a report names is the same in every build.</summary>
            public IMethodSymbol[] Callees { get; }

            public ImmutableArray<HelperCall> HelperCalls { get; }
        }

        /// <summary>The calls in the operation blocks the analyzer driver hands over for a method (kept for later questions).</summary>
        public MethodCalls Record(IMethodSymbol method, IEnumerable<IOperation> blocks) =>
            _calls.GetOrAdd(method, _ => Read(blocks));

        /// <summary>Every program other than the method itself that reaches it, in declaration order, with the shortest chain.</summary>
        public IReadOnlyList<(IMethodSymbol Program, string Chain)> ProgramsReaching(IMethodSymbol method, CancellationToken cancellationToken)
        {
            var programs = new List<IMethodSymbol>();
            var visited = new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default) { method };
            var queue = new Queue<IMethodSymbol>();
            queue.Enqueue(method);
            while (queue.Count > 0)
            {
                var callee = queue.Dequeue();
                foreach (var caller in CallersOf(callee, cancellationToken))
                {
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

            programs.Sort(DeclarationOrder.Instance);
            return programs.Select(p => (p, ChainFrom(p, method, cancellationToken))).ToArray();
        }

        private IEnumerable<IMethodSymbol> CallersOf(IMethodSymbol callee, CancellationToken cancellationToken)
        {
            if (!_mentions.Value.TryGetValue(callee.Name, out var mentions))
            {
                yield break;
            }

            // A private method is called only from inside its type's declarations.
            var places = callee.DeclaredAccessibility == Accessibility.Private
                ? callee.ContainingType.DeclaringSyntaxReferences.Select(type => (type.SyntaxTree, (TextSpan?)type.Span))
                : mentions.Keys.Select(tree => (tree, (TextSpan?)null));
            var seen = new HashSet<SyntaxNode>();
            foreach (var (tree, span) in places)
            {
                if (!mentions.TryGetValue(tree, out var positions))
                {
                    continue;
                }

                var root = tree.GetRoot(cancellationToken);
                foreach (var position in positions)
                {
                    if ((span is null || span.Value.Contains(position))
                        && MemberAt(root, position) is SyntaxNode declaration && seen.Add(declaration)
                        && DeclaredMethod(declaration, cancellationToken) is IMethodSymbol caller
                        && CallsOf(caller, cancellationToken).Callees.Contains(callee, SymbolEqualityComparer.Default))
                    {
                        yield return caller;
                    }
                }
            }
        }

        // The member declaration whose body holds a position: what can call a method from there.
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

        // Breadth first through callees in declaration order: the chain the compilation-wide walk named before.
        private string ChainFrom(IMethodSymbol program, IMethodSymbol target, CancellationToken cancellationToken)
        {
            var previous = new Dictionary<IMethodSymbol, IMethodSymbol>(SymbolEqualityComparer.Default) { [program] = program };
            var queue = new Queue<IMethodSymbol>();
            queue.Enqueue(program);
            while (queue.Count > 0 && !previous.ContainsKey(target))
            {
                var method = queue.Dequeue();
                foreach (var callee in CallsOf(method, cancellationToken).Callees)
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

        private MethodCalls Read(IEnumerable<IOperation> blocks)
        {
            var callees = new List<IMethodSymbol>();
            var helperCalls = ImmutableArray.CreateBuilder<HelperCall>();
            foreach (var block in blocks)
            {
                foreach (var operation in block.DescendantsAndSelf())
                {
                    switch (operation)
                    {
                        case IInvocationOperation invocation:
                            if (HelperCall.From(_symbols, invocation) is HelperCall call)
                            {
                                helperCalls.Add(call);
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
                }
            }

            var sorted = callees.Distinct<IMethodSymbol>(SymbolEqualityComparer.Default).ToArray();
            if (sorted.Length > 1)
            {
                Array.Sort(sorted, DeclarationOrder.Instance);
            }

            return new MethodCalls(sorted, helperCalls.ToImmutable());
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

        // Word -> where the text of the compilation's files has it: the only places that can call a method of that name.
        // A scan of the text, not of syntax trees: comments and strings may add places, which binding then rules out.
        // Calls from generated files are not analysed (as with every action here).
        private Dictionary<string, Dictionary<SyntaxTree, List<int>>> IndexWords()
        {
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
                    if (!IsWordStart(text[i]))
                    {
                        continue;
                    }

                    var start = i;
                    while (i + 1 < text.Length && IsWordPart(text[i + 1]))
                    {
                        i++;
                    }

                    var word = text.Substring(start, i - start + 1);
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

        private static bool IsWordStart(char c) => c == '_' || char.IsLetter(c);

        private static bool IsWordPart(char c) => c == '_' || char.IsLetterOrDigit(c);

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
