using System;
using Microsoft.CodeAnalysis;

namespace BpfSharp.Analyzers.HelperCalls
{
    /// <summary>A helper call judged whatever program runs it.</summary>
    internal readonly struct CallSite
    {
        public CallSite(Action<Diagnostic> report, HelperCall call, string? license)
        {
            Report = report;
            Call = call;
            License = license;
        }

        public Action<Diagnostic> Report { get; }

        public HelperCall Call { get; }

        public HelperFacts Helper => Call.Helper;

        /// <summary>The assembly's [BpfLicense] string, or null when there is none.</summary>
        public string? License { get; }
    }

    /// <summary>A helper call judged in one program that runs it, directly or through a chain of calls.</summary>
    internal readonly struct ProgramSite
    {
        public ProgramSite(CallSite site, IMethodSymbol program, DeclaredProgram declared, string? chain)
        {
            Site = site;
            Declared = declared;
            Program = program;
            Chain = chain;
        }

        public CallSite Site { get; }

        public HelperCall Call => Site.Call;

        public HelperFacts Helper => Site.Call.Helper;

        public DeclaredProgram Declared { get; }

        public IMethodSymbol Program { get; }

        /// <summary>The calls from the program to the helper's method (<c>Main -> Count</c>); null for a call in the program itself.</summary>
        public string? Chain { get; }

        /// <summary>How messages name the program: <c>'Main' (through Main -> Count)</c>. Built only for a report.</summary>
        public string Caller => "'" + Program.Name + "'" + (Chain is null ? string.Empty : " (through " + Chain + ")");

        public void Report(Diagnostic diagnostic) => Site.Report(diagnostic);
    }
}
