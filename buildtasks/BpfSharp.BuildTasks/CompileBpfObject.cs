using System.Collections.Generic;
using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace BpfSharp.BuildTasks
{
    /// <summary>
    /// Runs clang on the translated C. The C carries #line directives to the C# sources, so clang's complaints name C#
    /// files and lines; they are reported as BPF2007 at those places (once each: clang repeats some per function).
    /// </summary>
    public sealed class CompileBpfObject : Task
    {
        // clang: "Program.cs:12:5: error: message" (fatal errors too); lines without a place: "error: message".
        private static readonly Regex s_located = new Regex(@"^(?<file>[^:]+):(?<line>\d+):(?<column>\d+): (?<kind>fatal error|error|warning): (?<message>.*)$");
        private static readonly Regex s_unlocated = new Regex(@"^(?:clang(?:-\d+)?: )?(?<kind>fatal error|error): (?<message>.*)$");

        /// <summary>clang's path.</summary>
        [Required]
        public string Clang { get; set; } = string.Empty;

        /// <summary>clang's arguments (source, object, flags).</summary>
        [Required]
        public string Arguments { get; set; } = string.Empty;

        /// <summary>Where clang runs: the project directory, which the #line paths are relative to.</summary>
        [Required]
        public string WorkingDirectory { get; set; } = string.Empty;

        /// <inheritdoc />
        public override bool Execute()
        {
            var start = new ProcessStartInfo(Clang, Arguments)
            {
                WorkingDirectory = WorkingDirectory,
                RedirectStandardError = true,
                RedirectStandardOutput = true,
                UseShellExecute = false,
            };
            Log.LogMessage(MessageImportance.Low, "{0} {1}", Clang, Arguments);
            var lines = new List<string>();
            int exitCode;
            using (var process = Process.Start(start)!)
            {
                process.OutputDataReceived += (_, e) => { if (e.Data != null) { lock (lines) { lines.Add(e.Data); } } };
                process.ErrorDataReceived += (_, e) => { if (e.Data != null) { lock (lines) { lines.Add(e.Data); } } };
                process.BeginOutputReadLine();
                process.BeginErrorReadLine();
                process.WaitForExit();
                exitCode = process.ExitCode;
            }

            var reported = new HashSet<string>();
            foreach (var line in lines)
            {
                var located = s_located.Match(line);
                var unlocated = located.Success ? Match.Empty : s_unlocated.Match(line);
                if (located.Success && located.Groups["kind"].Value != "warning")
                {
                    if (reported.Add(line))
                    {
                        Log.LogError(null, "BPF2007", null, located.Groups["file"].Value, int.Parse(located.Groups["line"].Value), int.Parse(located.Groups["column"].Value), 0, 0, "clang refused the program: " + located.Groups["message"].Value);
                    }
                }
                else if (unlocated.Success && !unlocated.Groups["message"].Value.StartsWith("too many errors emitted", System.StringComparison.Ordinal))
                {
                    if (reported.Add(line))
                    {
                        Log.LogError(null, "BPF2007", null, null, 0, 0, 0, 0, "clang refused the program: " + unlocated.Groups["message"].Value);
                    }
                }
                else
                {
                    Log.LogMessage(MessageImportance.Low, line); // clang's warnings and notes on generated C are BpfSharp's business
                }
            }

            if (exitCode != 0 && !Log.HasLoggedErrors)
            {
                Log.LogError(null, "BPF2007", null, null, 0, 0, 0, 0, $"clang failed (exit code {exitCode}) without saying why: {string.Join(" / ", lines)}");
            }

            return !Log.HasLoggedErrors;
        }
    }
}
