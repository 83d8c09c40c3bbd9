using Stuff.Tests.Infrastructure;

namespace Stuff.Tests.Cli;

/// <summary>`stuff setup` arguments; --dry-run shows the plan without changing anything.</summary>
public sealed class SetupCommandTests
{
    private static readonly StuffCli Stuff = new(Path.GetTempPath(), null);

    private static Task<CliResult> DryRunAsync(params string[] args) =>
        Stuff.RunAsync(["setup", "--domain", "example.org", "--tls", "self-signed", .. args, "--dry-run"]);

    [Fact]
    public async Task App_hosts_join_the_balancer_after_this_hosts_instances_and_share_the_key_ring()
    {
        var result = await DryRunAsync("--instances", "1", "--app-host", "10.0.0.11:5080", "--app-host", "[fd00::12]:5090", "--app-host", "app3.internal:8080");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("ProxyPass /stuff/ balancer://stuff/stuff/", result.Output);
        Assert.Matches(@"BalancerMember ""http://127\.0\.0\.1:508[01]"" retry=5", result.Output);
        Assert.Contains("BalancerMember \"http://10.0.0.11:5080\" retry=5", result.Output);
        Assert.Contains("BalancerMember \"http://[fd00::12]:5090\" retry=5", result.Output);
        Assert.Contains("BalancerMember \"http://app3.internal:8080\" retry=5", result.Output);
        Assert.Contains("STUFF_KEYS=database", result.Output);
    }

    [Fact]
    public async Task None_means_no_other_hosts()
    {
        var result = await DryRunAsync("--instances", "1", "--app-host", "none");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.DoesNotContain("balancer://", result.Output);
        Assert.DoesNotContain("STUFF_KEYS", result.Output);
    }

    [Theory]
    [InlineData(new string[0], "wait up to 60 s for http://127.0.0.1:")]
    [InlineData(new[] { "--ready-timeout", "15" }, "wait up to 15 s for http://127.0.0.1:")]
    public async Task A_new_release_has_the_readiness_bound_asked_for(string[] args, string expected)
    {
        var result = await DryRunAsync(args);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains(expected, result.Output);
    }

    [Theory]
    [InlineData("4")]
    [InlineData("601")]
    public async Task A_readiness_bound_out_of_range_is_refused_before_anything_happens(string seconds)
    {
        var result = await DryRunAsync("--ready-timeout", seconds);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--ready-timeout must be from 5 to 600 seconds", result.Error);
        Assert.Empty(result.Output);
    }

    [Theory]
    [InlineData("10.0.0.11")]
    [InlineData("10.0.0.11:")]
    [InlineData("10.0.0.11:99999")]
    [InlineData("http://10.0.0.11:5080")]
    [InlineData("10.0.0.11:5080/stuff")]
    [InlineData("user@10.0.0.11:5080")]
    [InlineData("not a host:5080")]
    [InlineData("127.0.0.1:5082")]
    public async Task A_value_that_is_not_another_hosts_address_is_refused_before_anything_happens(string value)
    {
        var result = await DryRunAsync("--app-host", value);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("--app-host must be HOST:PORT", result.Error);
        Assert.DoesNotContain("   at ", result.Error + result.Output);
        Assert.DoesNotContain("The plan", result.Output);
    }
}
