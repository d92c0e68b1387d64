using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using BpfSharp.Tests.Infrastructure;

namespace BpfSharp.Tests.Kernel.Ports;

/// <summary>
/// Every C# port of tests/Ports built as a user builds it: one consumer project per port against the packed .nupkg
/// (warnings as errors), all in one `dotnet build` of a solution, once per test run.
/// </summary>
public sealed class PortBuilds : IDisposable
{
    private readonly PackagedBpfSharp _package = new();
    private readonly Lazy<string> _build;

    public PortBuilds() => _build = new(Build);

    public static string PortsFolder => Path.Combine(RepoPaths.Root, "tests", "Ports");

    /// <summary>The object `dotnet build` wrote for the port; fails with the build's messages for that port when there is none.</summary>
    public string ObjectOf(RealProgram port)
    {
        var output = _build.Value;
        var name = ProjectName(port);
        var objectPath = Path.Combine(_package.Root, name, "bin", "Debug", "net10.0", name + ".bpf.o");
        if (!File.Exists(objectPath))
        {
            var messages = output.Split('\n').Where(line => line.Contains(Path.Combine(_package.Root, name) + Path.DirectorySeparatorChar, StringComparison.Ordinal) || line.Contains("error", StringComparison.Ordinal));
            throw new InvalidOperationException($"the port {port.Port} did not build into {objectPath}:\n" + string.Join('\n', messages.Distinct()));
        }

        return objectPath;
    }

    public void Dispose() => _package.Dispose();

    private static string ProjectName(RealProgram port) => Path.GetFileNameWithoutExtension(port.Port);

    private string Build()
    {
        var projects = new List<string>();
        foreach (var port in RealPrograms.All)
        {
            var name = ProjectName(port);
            _package.WriteConsumer(name, File.ReadAllText(Path.Combine(PortsFolder, port.Port)), "<GenerateDocumentationFile>false</GenerateDocumentationFile>");
            projects.Add($"  <Project Path=\"{name}/{name}.csproj\" />");
        }

        File.WriteAllText(Path.Combine(_package.Root, "nuget.config"), _package.NugetConfig);
        File.WriteAllText(Path.Combine(_package.Root, "Ports.slnx"), "<Solution>\n" + string.Join('\n', projects) + "\n</Solution>\n");
        return DotNetCli.Run(_package.Root, "build", "Ports.slnx", "-nologo", "-clp:NoSummary").Output;
    }
}
