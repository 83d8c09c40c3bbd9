using System.Text;
using Stuff.Configuration;

namespace Stuff.Server;

/// <summary>A file with exact content, owner, group and mode. Written beside the target and renamed into place.</summary>
public sealed record FileSpec(string Path, string Owner, string Group, UnixFileMode Mode, string Content, string? ShownContent = null)
{
    public string ModeText => FileModes.Octal(Mode);

    public IEnumerable<string> Describe()
    {
        yield return $"file {Path} ({Owner}:{Group} {ModeText}):";
        // A file with secrets is shown with placeholders instead of them.
        foreach (var line in (ShownContent ?? Content).TrimEnd('\n').Split('\n')) yield return "    | " + line;
    }

    /// <summary>Null when the file on disk is exactly this; otherwise what differs.</summary>
    public string? Difference()
    {
        if (!File.Exists(Path)) return $"{Path} is missing";
        if (File.ReadAllText(Path) != Content) return $"{Path} has other content";
        return Ownership.Difference(Path, Owner, Group, Mode);
    }

    public async Task WriteAsync(IShell shell, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        var temporary = Path + ".stuff-new";
        // Created with the final mode, so a secret is never readable by others even for a moment.
        await using (var stream = new FileStream(temporary, new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, UnixCreateMode = Mode }))
            await stream.WriteAsync(Encoding.UTF8.GetBytes(Content), cancellationToken);
        File.SetUnixFileMode(temporary, Mode);
        await shell.MustAsync("chown", [$"{Owner}:{Group}", temporary], cancellationToken);
        File.Move(temporary, Path, overwrite: true);
    }
}
