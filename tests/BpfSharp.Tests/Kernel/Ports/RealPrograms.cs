using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;

namespace BpfSharp.Tests.Kernel.Ports;

/// <summary>The ported programs: each is a static property of this class, in its own file (*Case.cs).</summary>
public static partial class RealPrograms
{
    // Read on each use: the properties' initialisers live in other files, in no set order.
    public static IReadOnlyList<RealProgram> All => typeof(RealPrograms)
        .GetProperties(BindingFlags.Public | BindingFlags.Static)
        .Where(property => property.PropertyType == typeof(RealProgram))
        .Select(property => (RealProgram)property.GetValue(null)!)
        .OrderBy(port => port.Name, StringComparer.Ordinal)
        .ToList();

    public static RealProgram Named(string name) => All.Single(port => port.Name == name);
}
