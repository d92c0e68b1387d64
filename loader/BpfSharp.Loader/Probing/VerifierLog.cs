using System;
using System.Linq;
using System.Text.RegularExpressions;

namespace BpfSharp.Loader.Probing
{
    /// <summary>What the verifier made of the one helper call in a probe program.</summary>
    internal enum CallVerdict
    {
        /// <summary>The call passed every check of the call itself (the program may still fail later, e.g. on a leaked reference).</summary>
        Accepted,

        /// <summary>The kernel has no helper with this id.</summary>
        Missing,

        /// <summary>The program type (variant) may not call the helper.</summary>
        NotAllowed,

        /// <summary>Only GPL-compatible programs may call the helper here.</summary>
        GplOnly,

        /// <summary>The map argument's type is refused for this helper.</summary>
        MapRefused,

        /// <summary>The call failed on an argument the probe could not make valid: the checks after it never ran.</summary>
        ArgumentRejected,

        /// <summary>The program was refused before the verifier reached the call (the variant does not load at all).</summary>
        ProgramRejected,
    }

    /// <summary>The verdict on the call, with the verifier's message that decided it.</summary>
    internal sealed record CallOutcome(CallVerdict Verdict, string Message);

    /// <summary>
    /// Reads a verifier log (log level 2: every instruction is printed before it is checked) to find what the verifier
    /// said about the call instruction. Every refusal message the kernel has used across versions is recognised.
    /// </summary>
    internal static class VerifierLog
    {
        // "program of this type cannot use helper" since 5.x; "unknown func" before it; "invalid func" for an id out of range.
        private static readonly Regex s_notAllowed = new Regex(
            @"program of this type cannot use helper|^unknown func |not supported for program type|supported only for fentry/fexit/fmod_ret programs|helper call is not allowed in probe|helper call might sleep in a non-sleepable prog",
            RegexOptions.Multiline | RegexOptions.CultureInvariant);

        private static readonly Regex s_missing = new Regex(@"^invalid func ", RegexOptions.Multiline | RegexOptions.CultureInvariant);
        private static readonly Regex s_gpl = new Regex(@"cannot call GPL-restricted function", RegexOptions.CultureInvariant);
        // The map check itself, and the checks that refuse a map type for good whatever else the program does: a key or
        // value pointer into a map whose key/value size is 0, a map programs may not write, a socket map's own rules.
        private static readonly Regex s_mapRefused = new Regex(
            @"cannot pass map_type \d+ into func|cannot be used in prog|invalid zero-sized read|write into map forbidden|invalid arg_type for sockmap/sockhash|expected prog array map for tail call|callback function not allowed for map",
            RegexOptions.CultureInvariant);
        // Register and stack states, and the summary lines, that surround instructions at log level 2.
        private static readonly Regex s_state = new Regex(@"^(R\d+\w*=|\d+: R\d+\w*=|\d+: \(|; |from \d+ to \d+|processed \d+ insns|verification time|stack depth|mark_precise|\(\d+\) |func#\d+ @\d+)", RegexOptions.CultureInvariant);
        private static readonly Regex s_instruction = new Regex(@"^(\d+): \([0-9a-f]{2}\)", RegexOptions.Multiline | RegexOptions.CultureInvariant);

        /// <summary>Classifies a load of a probe program whose helper call is instruction <paramref name="callIndex"/>.</summary>
        public static CallOutcome Classify(bool loaded, string log, int callIndex)
        {
            if (loaded)
            {
                return new CallOutcome(CallVerdict.Accepted, string.Empty);
            }

            var message = FirstError(log);
            if (s_missing.IsMatch(log))
            {
                return new CallOutcome(CallVerdict.Missing, message);
            }

            if (s_notAllowed.IsMatch(log))
            {
                return new CallOutcome(CallVerdict.NotAllowed, Line(log, s_notAllowed));
            }

            if (s_gpl.IsMatch(log))
            {
                return new CallOutcome(CallVerdict.GplOnly, Line(log, s_gpl));
            }

            if (s_mapRefused.IsMatch(log))
            {
                return new CallOutcome(CallVerdict.MapRefused, Line(log, s_mapRefused));
            }

            var reached = s_instruction.Matches(log).Cast<Match>().Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).DefaultIfEmpty(-1).Max();
            if (reached < 0 || reached < callIndex)
            {
                return new CallOutcome(CallVerdict.ProgramRejected, message);
            }

            return reached == callIndex ? new CallOutcome(CallVerdict.ArgumentRejected, message) : new CallOutcome(CallVerdict.Accepted, message);
        }

        // What the verifier printed after the last instruction it reached: the reason it stopped.
        private static string FirstError(string log)
        {
            var lines = log.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();
            var last = Array.FindLastIndex(lines, l => s_instruction.IsMatch(l));
            var error = lines.Skip(last + 1).FirstOrDefault(l => !s_state.IsMatch(l));
            return error ?? string.Empty;
        }

        private static string Line(string log, Regex pattern) =>
            log.Split('\n').Select(l => l.Trim()).FirstOrDefault(pattern.IsMatch) ?? string.Empty;
    }
}
