namespace BpfSharp.Generators
{
    /// <summary>Names of the generator's pipeline steps, for the incrementality tests.</summary>
    public static class TrackingNames
    {
        public const string UserPages = nameof(UserPages);
        public const string HelperPages = nameof(HelperPages);
        public const string MergedSpec = nameof(MergedSpec);
        public const string ObjectSource = nameof(ObjectSource);
        public const string Tracepoints = nameof(Tracepoints);
    }
}
