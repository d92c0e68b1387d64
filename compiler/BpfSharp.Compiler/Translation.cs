using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace BpfSharp.Compiler
{
    /// <summary>The BPF2xxx ids: C# that the BPF compiler cannot translate. Stable: users suppress them by id.</summary>
    public static class CompilerDiagnosticIds
    {
        /// <summary>A construct outside the C# subset that runs in the kernel (allocation, exceptions, floating point, ...).</summary>
        public const string UnsupportedConstruct = "BPF2001";

        /// <summary>A type that has no BPF form (reference types, floating point, managed arrays, generics over them).</summary>
        public const string UnsupportedType = "BPF2002";

        /// <summary>A call the program cannot make: not a helper, not a static method in the project, not a known intrinsic.</summary>
        public const string UnsupportedCall = "BPF2003";

        /// <summary>A map used other than as a helper's map argument, or declared so its size is not a constant.</summary>
        public const string UnsupportedMapUse = "BPF2004";

        /// <summary>A program or map name the object cannot carry: not ASCII, reserved, or taken by another program or map.</summary>
        public const string ObjectName = "BPF2005";

        /// <summary>A program or map name longer than the kernel keeps (15 characters): a warning, the object is still written.</summary>
        public const string LongObjectName = "BPF2006";

        /// <summary>An operation on which C# would throw (checked overflow, division by zero) that the kernel cannot throw on.</summary>
        public const string ThrowingOperation = "BPF2008";

        /// <summary>A struct whose Pack changes nothing in its layout but makes every wider field a byte-by-byte load: a warning.</summary>
        public const string PackedStruct = "BPF2009";

        /// <summary>Whether a problem keeps the object from being written (all but warnings).</summary>
        public static bool StopsTheObject(string id) => id != LongObjectName && id != PackedStruct;
    }

    /// <summary>Why a piece of C# cannot become BPF, where it is.</summary>
    public sealed class TranslationProblem
    {
        public TranslationProblem(string id, Location location, string message)
        {
            Id = id;
            Location = location;
            Message = message;
        }

        public string Id { get; }

        public Location Location { get; }

        public string Message { get; }

        public override string ToString() => Location.GetLineSpan() + ": " + Id + ": " + Message;
    }

    /// <summary>The C for a compilation's BPF programs, or the problems that keep it from being written.</summary>
    public sealed class TranslationResult
    {
        public TranslationResult(string? c, ImmutableArray<string> programs, ImmutableArray<TranslationProblem> problems)
        {
            C = c;
            Programs = programs;
            Problems = problems;
        }

        /// <summary>The C source (LF line endings), or null when there is no program or a problem stops translation.</summary>
        public string? C { get; }

        /// <summary>The program (method) names, in source order.</summary>
        public ImmutableArray<string> Programs { get; }

        public ImmutableArray<TranslationProblem> Problems { get; }
    }
}
