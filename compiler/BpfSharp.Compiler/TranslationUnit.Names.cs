using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;
using BpfSharp.Spec;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace BpfSharp.Compiler
{
    /// <summary>The unit's names: C identifiers for C# ones, the object's program and map names and their limits, literals.</summary>
    internal sealed partial class TranslationUnit
    {
        // BPF_OBJ_NAME_LEN - 1: the kernel's program and map names.
        private const int KernelNameLength = 15;

        /// <summary>
        /// The object's name for a program or map, which is the C# name (the public contract): the kernel takes only
        /// ASCII letters, digits and '_', keeps 15 characters, and one object cannot hold two symbols of one name.
        /// </summary>
        private string ObjectName(ISymbol symbol, string kind)
        {
            var name = symbol.Name;
            var at = symbol.Locations.FirstOrDefault() ?? Location.None;
            if (!CNames.IsAsciiName(name))
            {
                Problem(CompilerDiagnosticIds.ObjectName, at, $"{kind} name '{name}' has characters the kernel refuses in object names: only ASCII letters, digits and '_'");
            }
            else if (CNames.IsKeyword(name) || name == "LICENSE" || name == "SEC" || Symbols.IsHelperName(name) || name.StartsWith("bpfsharp_", StringComparison.Ordinal) || name.StartsWith("__", StringComparison.Ordinal))
            {
                Problem(CompilerDiagnosticIds.ObjectName, at, $"{kind} name '{name}' is reserved in the object ({Reserved(name)}): rename the {(kind == "program" ? "method" : "field")}");
            }
            else if (name.Length > KernelNameLength)
            {
                Problem(CompilerDiagnosticIds.LongObjectName, at, $"{kind} name '{name}' has {name.Length} characters: the kernel keeps {KernelNameLength} ('{name.Substring(0, KernelNameLength)}'), which is what bpftool and the kernel's tables will show");
            }

            _objectNames.Add(name);
            _claims.Add(new ObjectNameClaim(name, kind, SymbolKey(symbol), symbol.ToDisplayString(), at));
            return name;
        }

        private string Reserved(string name) =>
            CNames.IsKeyword(name) ? "a C keyword"
            : name == "LICENSE" ? "the licence's section symbol"
            : Symbols.IsHelperName(name) ? "the name of the helper " + name
            : "a name of the compiler's or the kernel headers'";

        /// <summary>A C name for a function or global of the object, numbered when two C# members would share one (same class name in two namespaces).</summary>
        private string InternalName(string wanted)
        {
            var name = wanted;
            for (var n = 2; _objectNames.Contains(name) || !_internalNames.Add(name); n++)
            {
                name = wanted + "_" + n.ToString(CultureInfo.InvariantCulture);
            }

            return name;
        }

        public static string Literal(string text)
        {
            var builder = new StringBuilder("\"");
            foreach (var c in text)
            {
                if (c == '"' || c == '\\')
                {
                    builder.Append('\\').Append(c);
                }
                else if (c < ' ' || c > '~')
                {
                    builder.Append("\\").Append(Convert.ToString(c & 0xff, 8).PadLeft(3, '0'));
                }
                else
                {
                    builder.Append(c);
                }
            }

            return builder.Append('"').ToString();
        }

        /// <summary>A symbol's identity across units and compilations: its fully qualified name (with a method's parameter types).</summary>
        internal static string SymbolKey(ISymbol symbol) => symbol.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat.WithMemberOptions(SymbolDisplayMemberOptions.IncludeContainingType | SymbolDisplayMemberOptions.IncludeParameters));
    }
}
