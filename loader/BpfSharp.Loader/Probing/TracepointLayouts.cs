using System;
using System.Collections.Generic;
using System.IO;
using BpfSharp.Loader.Native;
using BpfSharp.Spec;

namespace BpfSharp.Loader.Probing
{
    /// <summary>The running kernel's tracepoint record layouts, read from tracefs (mounted when it is not, as root).</summary>
    internal static class TracepointLayouts
    {
        /// <summary>Every tracepoint with a readable format, and the folders that could not be read (with why).</summary>
        public static (List<TracepointFormat> Formats, List<string> Unreadable) Read()
        {
            var events = Path.Combine(TraceFs.Root(), "events");
            var formats = new List<TracepointFormat>();
            var unreadable = new List<string>();
            foreach (var category in Directory.EnumerateDirectories(events))
            {
                foreach (var tracepoint in Directory.EnumerateDirectories(category))
                {
                    var file = Path.Combine(tracepoint, "format");
                    if (!File.Exists(file))
                    {
                        continue;
                    }

                    try
                    {
                        if (TracepointFormats.ParseFormatFile(Path.GetFileName(category), File.ReadAllText(file)) is TracepointFormat format)
                        {
                            formats.Add(format);
                        }
                    }
                    catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                    {
                        unreadable.Add($"{file}: {e.Message}");
                    }
                }
            }

            return (formats, unreadable);
        }
    }
}
