using System.Diagnostics;

namespace Stuff.Tests.Infrastructure;

/// <summary>Other programs, run to the end with their output collected.</summary>
public static class Processes
{
    /// <summary>
    /// Runs <paramref name="file"/> with nothing on its standard input; past <paramref name="within"/>
    /// (10 minutes unless given) it is killed with everything it started, and that is a failure.
    /// </summary>
    public static async Task<CliResult> RunAsync(string file, IEnumerable<string> args, string? workingDirectory = null, TimeSpan? within = null)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        if (workingDirectory is not null) info.WorkingDirectory = workingDirectory;
        foreach (var arg in args) info.ArgumentList.Add(arg);
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {file}.");
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        var limit = within ?? TimeSpan.FromMinutes(10);
        using var timeout = new CancellationTokenSource(limit);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish within {limit.TotalMinutes:0.#} min.");
        }
        return new CliResult(process.ExitCode, await output, await error);
    }
}
