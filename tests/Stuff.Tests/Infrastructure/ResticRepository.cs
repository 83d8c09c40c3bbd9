using System.Diagnostics;
using System.Globalization;

namespace Stuff.Tests.Infrastructure;

/// <summary>A real restic repository in a directory of the test's own, made with the restic that ./test.sh installs.</summary>
public sealed class ResticRepository
{
    public const string Password = "a repository passphrase for the tests";

    private ResticRepository(string path) => Path = path;

    public string Path { get; }

    public static async Task<ResticRepository> InitAsync(string path)
    {
        var repository = new ResticRepository(path);
        await repository.MustAsync("init");
        return repository;
    }

    /// <summary>A snapshot made by restic itself (not by stuff backup), at <paramref name="time"/> when given.</summary>
    public async Task<string> SnapshotAsync(string file, DateTime? time = null, params string[] tags)
    {
        var args = new List<string> { "backup", "--json", "--quiet" };
        if (time is { } at) args.AddRange(["--time", at.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)]);
        foreach (var tag in tags) args.AddRange(["--tag", tag]);
        args.Add(file);
        var output = await MustAsync([.. args]);
        var id = System.Text.RegularExpressions.Regex.Match(output, "\"snapshot_id\":\"([0-9a-f]{8})");
        Assert.True(id.Success, output);
        return id.Groups[1].Value;
    }

    /// <summary>The short ids of the snapshots, oldest first.</summary>
    public async Task<IReadOnlyList<string>> SnapshotIdsAsync() =>
        [.. Stuff.Backups.Restic.ParseSnapshots(await MustAsync("snapshots", "--json")).Select(s => s.ShortId)];

    public async Task<string> MustAsync(params string[] args)
    {
        var info = new ProcessStartInfo("restic") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args) info.ArgumentList.Add(arg);
        info.Environment["RESTIC_REPOSITORY"] = Path;
        info.Environment["RESTIC_PASSWORD"] = Password;
        info.Environment["TZ"] = "UTC";
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"restic {string.Join(' ', args)}: exit {process.ExitCode}\n{await error}");
        return await output;
    }
}
