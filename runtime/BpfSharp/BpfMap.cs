namespace BpfSharp
{
    /// <summary>
    /// The base class of every BPF map. Helper stubs take their map argument as <see cref="BpfMap"/>; the static type
    /// of the argument (for example <see cref="QueueMap{TValue}"/>) tells the analyzers which map type is passed.
    /// </summary>
    public abstract class BpfMap
    {
        /// <summary>Declares a map of a given type.</summary>
        /// <param name="mapType">The kernel map type.</param>
        /// <param name="maxEntries">The maximum number of entries (<c>max_entries</c>).</param>
        /// <param name="flags">The map creation flags (<c>map_flags</c>).</param>
        protected BpfMap(BpfMapType mapType, uint maxEntries, uint flags)
        {
            MapType = mapType;
            MaxEntries = maxEntries;
            Flags = flags;
        }

        /// <summary>The kernel map type.</summary>
        public BpfMapType MapType { get; }

        /// <summary>The maximum number of entries.</summary>
        public uint MaxEntries { get; }

        /// <summary>The map creation flags.</summary>
        public uint Flags { get; }
    }
}
