using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using BpfSharp.Emit;
using BpfSharp.Spec;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace BpfSharp.Generators
{
    /// <summary>
    /// The tracepoints that <c>[BpfProgram("tp/category/name")]</c> methods name, and the C# of their context structs:
    /// from a <c>tracepoints.tsv</c> of the project (<c>bpfsharp tracepoints</c>) when it has the tracepoint, from the
    /// shipped Linux 6.18 layouts otherwise. A tracepoint neither knows is left to the analyzer (BPF0013).
    /// </summary>
    internal static class TracepointContexts
    {
        /// <summary>The pipeline: the C# of the named tracepoints' contexts (null when no program names one).</summary>
        public static IncrementalValueProvider<string?> Source(IncrementalGeneratorInitializationContext context)
        {
            // Read from the syntax alone: binding the attributes would make this step the first to bind every declaration
            // of the compilation, in every build, where the translation otherwise reuses its units without binding.
            var named = context.SyntaxProvider.CreateSyntaxProvider(
                    static (node, _) => node is AttributeSyntax attribute && SectionLiteral(attribute) != null,
                    static (attributed, _) => TracepointFormats.TracepointOf(SectionLiteral((AttributeSyntax)attributed.Node)!))
                .Where(static key => key != null)
                .Collect()
                .Select(static (all, _) => new EquatableArray<string>(all.Select(key => key!).Distinct(StringComparer.Ordinal).OrderBy(k => k, StringComparer.Ordinal).ToArray()))
                .WithTrackingName(TrackingNames.Tracepoints);
            var tables = context.AdditionalTextsProvider
                .Where(static file => TracepointFormats.IsLayoutTable(file.Path))
                .Select(static (file, cancellationToken) => new EquatableArray<TracepointFormat>(TracepointFormats.ReadTable(file.GetText(cancellationToken)?.ToString() ?? string.Empty).ToArray()))
                .Collect();
            return named.Combine(tables).Select(static (input, _) => Emit(input.Left, input.Right));
        }

        private static string? Emit(EquatableArray<string> keys, System.Collections.Immutable.ImmutableArray<EquatableArray<TracepointFormat>> tables)
        {
            if (keys.IsEmpty)
            {
                return null;
            }

            var own = new Dictionary<string, TracepointFormat>(StringComparer.Ordinal);
            foreach (var format in tables.SelectMany(t => t))
            {
                own[format.Key] = format;
            }

            var found = new List<TracepointFormat>();
            foreach (var key in keys)
            {
                if (own.TryGetValue(key, out var format) || TracepointFormats.Shipped.TryGetValue(key, out format))
                {
                    found.Add(format);
                }
            }

            return TracepointContextEmitter.Emit(found, own.Count > 0 ? "this project's tracepoints.tsv or Linux 6.18" : "Linux 6.18");
        }

        // The section of [BpfProgram("...")] (or BpfProgramAttribute, qualified or not) when it is written as a string literal.
        private static string? SectionLiteral(AttributeSyntax attribute)
        {
            var name = attribute.Name switch
            {
                QualifiedNameSyntax qualified => qualified.Right.Identifier.ValueText,
                AliasQualifiedNameSyntax aliased => aliased.Name.Identifier.ValueText,
                SimpleNameSyntax simple => simple.Identifier.ValueText,
                _ => null,
            };
            return (name == "BpfProgram" || name == "BpfProgramAttribute")
                && attribute.ArgumentList is { Arguments.Count: > 0 } arguments
                && arguments.Arguments[0].Expression is LiteralExpressionSyntax literal && literal.IsKind(SyntaxKind.StringLiteralExpression)
                ? literal.Token.ValueText
                : null;
        }
    }
}
