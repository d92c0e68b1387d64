namespace BpfSharp.Analyzers.HelperCalls
{
    /// <summary>
    /// Where the verdicts on helper calls come from: the spec's facts (<see cref="SpecVerdicts"/>) or a probed kernel's
    /// profile (<see cref="ProfileVerdicts"/>). Each verdict is reported once: what holds in every program at the call,
    /// the rest per program.
    /// </summary>
    internal interface IHelperVerdicts
    {
        /// <summary>Verdicts that hold whatever program runs the call.</summary>
        void JudgeCall(in CallSite site);

        /// <summary>Verdicts for the call in one program that runs it.</summary>
        void JudgeInProgram(in ProgramSite site);
    }
}
