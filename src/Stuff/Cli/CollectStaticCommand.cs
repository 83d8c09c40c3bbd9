using System.CommandLine;
using System.Text.Json;
using Microsoft.Extensions.FileProviders;
using Stuff.Configuration;
using Stuff.Hosting;

namespace Stuff.Cli;

/// <summary>`stuff collectstatic --output DIR`: copies the site's static files where the web server can serve them.</summary>
public static class CollectStaticCommand
{
    public static Command Create()
    {
        var output = new Option<DirectoryInfo>("--output", "-o")
        {
            Description = "Directory to copy the static files into (created if missing).",
            Required = true,
            HelpName = "DIR",
        };
        var check = new Option<bool>("--check") { Description = "Change nothing; exit 1 when a file would be copied." };
        var command = new Command("collectstatic", "Copy the static files to a directory; files already up to date are left alone.") { output, check };
        command.SetAction(StuffCommandLine.Guard(async (parse, cancellationToken) =>
        {
            var target = parse.GetRequiredValue(output);
            await using var app = CliHost.Build(parse);
            var source = app.Environment.WebRootFileProvider;
            if (!source.GetDirectoryContents("").Exists)
                throw new UserFacingException("This build has no static files (wwwroot); publish the app with `dotnet publish` and run collectstatic from there.");

            if (File.Exists(target.FullName))
                throw new UserFacingException($"{target.FullName} is a file, not a directory.");
            var checkOnly = parse.GetValue(check);
            if (!checkOnly) Directory.CreateDirectory(target.FullName);

            int copied = 0, unchanged = 0;
            foreach (var (relative, file) in Walk(source, "").Concat(FingerprintedCopies(source)))
            {
                cancellationToken.ThrowIfCancellationRequested();
                var destination = Path.Combine(target.FullName, relative);
                if (await IsSameAsync(file, destination, cancellationToken))
                {
                    unchanged++;
                    continue;
                }
                if (checkOnly)
                {
                    copied++;
                    continue;
                }
                Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
                // Write beside and rename, so the web server never serves half a file.
                var temporary = destination + ".tmp-" + Environment.ProcessId;
                await using (var read = file.CreateReadStream())
                await using (var write = File.Create(temporary))
                    await read.CopyToAsync(write, cancellationToken);
                File.Move(temporary, destination, overwrite: true);
                copied++;
            }

            if (checkOnly)
            {
                await parse.InvocationConfiguration.Output.WriteLineAsync(
                    copied == 0 ? $"{target.FullName} is up to date ({unchanged} files)." : $"{copied} static file(s) in {target.FullName} are missing or out of date.");
                return copied == 0 ? 0 : 1;
            }
            await parse.InvocationConfiguration.Output.WriteLineAsync(
                $"{copied} static file(s) copied to {target.FullName}, {unchanged} unchanged.");
            return 0;
        }));
        return command;
    }

    /// <summary>
    /// Pages link to fingerprinted names (site.abc123.css) that the app maps to the real file;
    /// a web server serving the directory needs a file under each of those names too.
    /// </summary>
    private static IEnumerable<(string Relative, IFileInfo File)> FingerprintedCopies(IFileProvider source)
    {
        var manifest = Path.Combine(AppContext.BaseDirectory, "stuff.staticwebassets.endpoints.json");
        if (!File.Exists(manifest)) yield break;
        using var document = JsonDocument.Parse(File.ReadAllText(manifest));
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var endpoint in document.RootElement.GetProperty("Endpoints").EnumerateArray())
        {
            var route = endpoint.GetProperty("Route").GetString()!;
            var asset = endpoint.GetProperty("AssetFile").GetString()!;
            var negotiated = endpoint.TryGetProperty("Selectors", out var selectors) && selectors.GetArrayLength() > 0;
            if (negotiated || route == asset || !seen.Add(route)) continue;
            var file = source.GetFileInfo(asset);
            if (file.Exists) yield return (route, file);
        }
    }

    private static IEnumerable<(string Relative, IFileInfo File)> Walk(IFileProvider provider, string directory)
    {
        foreach (var entry in provider.GetDirectoryContents(directory).OrderBy(e => e.Name, StringComparer.Ordinal))
        {
            var relative = directory.Length == 0 ? entry.Name : directory + "/" + entry.Name;
            if (entry.IsDirectory)
            {
                foreach (var child in Walk(provider, relative)) yield return child;
            }
            else
            {
                yield return (relative, entry);
            }
        }
    }

    private static async Task<bool> IsSameAsync(IFileInfo source, string destination, CancellationToken cancellationToken)
    {
        var existing = new FileInfo(destination);
        if (!existing.Exists || existing.Length != source.Length) return false;
        await using var a = source.CreateReadStream();
        await using var b = existing.OpenRead();
        return await FileComparison.SameContentAsync(a, b, cancellationToken);
    }
}
