using Xunit;

namespace BpfSharp.Tests;

/// <summary>The loader's pieces that need no kernel.</summary>
public class LoaderUnitTests
{
    [Theory]
    [InlineData("0", 1)]
    [InlineData("0-3\n", 4)]
    [InlineData("0,2-5", 6)]
    public void Possible_cpus_are_counted_as_the_kernel_sizes_per_cpu_values(string ranges, int expected) =>
        Assert.Equal(expected, BpfPerCpuMapView<uint, ulong>.PossibleCpus(ranges));
}
