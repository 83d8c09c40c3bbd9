using System.Diagnostics;
using System.Text;
using Stuff.Cli;

namespace Stuff.Tests.Infrastructure;

/// <summary>
/// Runs `stuff` commands with an environment of their own: <see cref="RunAsync"/> inside the
/// test's process (System.CommandLine invoked directly, output captured), the others as the
/// real executable (the build of src/Stuff) in its own process, the way a person or a script
/// runs it, for what only a process shows: exit codes, standard input, signals.
/// </summary>
public sealed class StuffCli
{
    private static readonly string AppDirectory = FindAppDirectory();

    private readonly Dictionary<string, string?> _environment = new()
    {
        ["ASPNETCORE_ENVIRONMENT"] = "Production",
        ["DOTNET_ENVIRONMENT"] = null,
        ["DATABASE_URL"] = null,
        ["STUFF_BASE_PATH"] = null,
        ["STUFF_ENV_FILE"] = null,
        ["STUFF_SUPERUSER_PASSWORD"] = null,
        ["STUFF_USER_PASSWORD"] = null,
        ["ASPNETCORE_URLS"] = null,
    };

    public StuffCli(string dataDirectory, string? databaseUrl)
    {
        _environment["STUFF_DATA_DIR"] = dataDirectory;
        _environment["DATABASE_URL"] = databaseUrl;
    }

    private StuffCli(Dictionary<string, string?> environment) => _environment = new(environment);

    /// <summary>A copy of this runner with one more environment variable set (or removed, for null).</summary>
    public StuffCli With(string name, string? value) => new(_environment) { _environment = { [name] = value } };

    /// <summary>Runs the command in this process; its settings come from this runner's environment only.</summary>
    public async Task<CliResult> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await StuffCommandLine.RunAsync(args, new CliEnvironment(_environment), output, error);
        return new CliResult(code, output.ToString(), error.ToString());
    }

    /// <summary>Runs the real executable in its own process.</summary>
    public Task<CliResult> RunProcessAsync(params string[] args) => RunWithInputAsync(null, args);

    /// <summary>Runs with <paramref name="stdin"/> piped in, as a script answering the prompts would.</summary>
    public async Task<CliResult> RunWithInputAsync(string? stdin, params string[] args)
    {
        using var process = Start(args);
        if (stdin is not null) await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();

        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"stuff {string.Join(' ', args)} did not finish within 90 s.");
        }
        return new CliResult(process.ExitCode, await output, await error);
    }

    /// <summary>Starts the executable without waiting, for `stuff serve`.</summary>
    public Process Start(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        info.ArgumentList.Add(Path.Combine(AppDirectory, "stuff.dll"));
        foreach (var arg in args) info.ArgumentList.Add(arg);
        foreach (var (key, value) in _environment)
        {
            if (value is null) info.Environment.Remove(key);
            else info.Environment[key] = value;
        }
        return Process.Start(info) ?? throw new InvalidOperationException("Could not start stuff.");
    }

    private static string FindAppDirectory()
    {
#if DEBUG
        const string configuration = "Debug";
#else
        const string configuration = "Release";
#endif
        var app = Path.Combine(Repository.Root, "src", "Stuff", "bin", configuration, "net10.0");
        return File.Exists(Path.Combine(app, "stuff.dll")) ? app : throw new InvalidOperationException($"{app}/stuff.dll is missing: build the solution first.");
    }
}
