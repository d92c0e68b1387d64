using System;
using System.IO;

namespace BpfSharp.Tests.Infrastructure;

/// <summary>Where the repository and the read-only shared data are.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string SpecHelpers => Path.Combine(Root, "spec", "helpers");

    public static string Spec => Path.Combine(Root, "spec");

    /// <summary>../shared beside the repository; tests that need it skip (visibly) when it is absent.</summary>
    public static string Shared => Path.GetFullPath(Path.Combine(Root, "..", "shared"));

    public static bool HasShared => File.Exists(Path.Combine(Shared, "kernel", "helper-signatures.tsv"));

    public const string NoSharedReason = "../shared (kernel and ebpf-docs data) is not present next to the repository";

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Generators.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Generators.sln not found above " + AppContext.BaseDirectory);
    }
}
