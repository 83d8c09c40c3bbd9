using System.Diagnostics;
using Stuff.Configuration;
using Stuff.Tests.Infrastructure;

namespace Stuff.Tests.Bench;

/// <summary>
/// bench/run.sh in its short smoke mode, to prove the benchmark works: every scenario runs and
/// no request fails. It asserts nothing about speed; bench/results.md holds the real numbers.
/// </summary>
[Collection(DeployCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Load)]
public sealed class BenchSmokeTests
{
    [DeployFact]
    public async Task The_benchmark_runs_every_scenario_without_a_failed_request()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Postgres, Path.GetTempPath());
        var root = Repository.Root;
        var output = Path.Combine(Path.GetTempPath(), $"stuff-bench-{Guid.NewGuid():N}.md");
        var info = new ProcessStartInfo(Path.Combine(root, "bench", "run.sh"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            ArgumentList =
            {
                "--smoke", "--release", Environment.GetEnvironmentVariable("STUFF_TEST_RELEASE")!,
                "--ceiling", Path.Combine(root, "bench", "Ceiling", "bin", "Release", "net10.0", "ceiling.dll"), "--output", output,
            },
            Environment = { ["DATABASE_URL"] = database.Url },
        };
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);

        Assert.True(process.ExitCode == 0, await stdout + await stderr);
        var results = await File.ReadAllTextAsync(output);
        File.Delete(output);
        foreach (var scenario in new[]
        {
            "List page 1, short rows, round 1 | app", "List page 1, short rows, round 1 | ceiling", "List page deep in 1000 rows",
            "Edit form GET, logged in", "Create POST loop", "List page 1, realistic rows, round 1 | app", "| as shipped |",
            "| DOTNET_GCConserveMemory=7 |",
        })
            Assert.Contains(scenario, results);
        Assert.Contains("| Failed or non-2xx/3xx responses, every scenario | 0 | 0 | met |", results);
        Assert.Matches(@"\| List page 1 / ceiling, short rows \(median of 1 rounds, A/B\) \| \d\.\d\d \| at least 0\.85 \| (met|not met) \|", results);
        Assert.Matches(@"\| List page 1 / ceiling, realistic rows \(median of 1 rounds, A/B\) \| \d\.\d\d \|", results);
        Assert.Matches(@"\| Start to first response \(published executable, median of 1 starts, ms\) \| \d+ \|", results);
        Assert.Matches(@"from commit ([0-9a-f]{7,}|unknown)", results);
    }
}
