using System;

namespace BpfSharp
{
    /// <summary>A failure of BpfSharp's user-space side: loading an object, a map operation, an attachment.</summary>
    public class BpfException : Exception
    {
        public BpfException(string message, int errno = 0)
            : base(message)
        {
            Errno = errno;
        }

        /// <summary>The kernel's errno, or 0 when the failure did not come from a system call.</summary>
        public int Errno { get; }
    }

    /// <summary>An object file that is not a BPF object this loader can read: not ELF, truncated, corrupt, or using what it does not support.</summary>
    public sealed class BpfObjectFormatException : BpfException
    {
        public BpfObjectFormatException(string file, string problem)
            : base($"{file}: {problem}")
        {
            File = file;
            Problem = problem;
        }

        public string File { get; }

        public string Problem { get; }
    }

    /// <summary>
    /// The verifier refused a program. <see cref="Exception.Message"/> starts with the verifier's own complaint and the C#
    /// line it is about (from the object's BTF line info, which BpfSharp's #line directives make C# lines); the whole log
    /// is in <see cref="Log"/>.
    /// </summary>
    public sealed class BpfVerifierException : BpfException
    {
        public BpfVerifierException(string program, string verifierMessage, string? sourceFile, int? sourceLine, string? sourceText, string log, int errno)
            : base(Compose(program, verifierMessage, sourceFile, sourceLine, sourceText, errno), errno)
        {
            Program = program;
            VerifierMessage = verifierMessage;
            SourceFile = sourceFile;
            SourceLine = sourceLine;
            SourceText = sourceText;
            Log = log;
        }

        /// <summary>The program the verifier refused.</summary>
        public string Program { get; }

        /// <summary>The verifier's complaint: the last lines of its log before its statistics.</summary>
        public string VerifierMessage { get; }

        /// <summary>The source file of the refused instruction (the C# file, for BpfSharp's objects), or null without line info.</summary>
        public string? SourceFile { get; }

        public int? SourceLine { get; }

        /// <summary>The text of that source line, as the line info carries it.</summary>
        public string? SourceText { get; }

        /// <summary>The verifier's whole log.</summary>
        public string Log { get; }

        private static string Compose(string program, string message, string? file, int? line, string? text, int errno) =>
            (file is null ? string.Empty : $"{file}({line}): ")
            + $"the verifier refused program '{program}': {message}"
            + (text is null ? string.Empty : $"\n  at: {text.Trim()}")
            + $"\n({BpfSharp.Loader.Native.BpfSyscall.Describe(errno)}; the whole log is in the exception's Log)";
    }
}
