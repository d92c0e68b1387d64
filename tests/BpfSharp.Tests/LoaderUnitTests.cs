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
        Assert.Equal(expected, BpfSharp.Loader.Native.CpuList.Count(ranges));

    [Theory]
    [InlineData("processed 0 insns (limit 1000000)\n", "processed 0 insns (limit 1000000)")]
    [InlineData("", "no log (the kernel refused the program before verifying it)")]
    [InlineData("0: R1=ctx() R10=fp0\n; return 2; @ Program.cs:9\n0: (b7) r0 = 2\nR0 !read_ok\nprocessed 1 insns\n", "R0 !read_ok")]
    public void A_refusal_is_read_from_any_log_without_failing(string log, string message)
    {
        var refusal = BpfObject.Refusal("P", log, 13);
        Assert.Equal(message, refusal.VerifierMessage);
    }
}
