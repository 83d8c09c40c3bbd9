using Stuff.Server;

namespace Stuff.Setup;

/// <summary>
/// `stuff` on the PATH: /usr/local/bin/stuff links to /opt/stuff/bin/stuff, which is always the
/// live release's, so an operator types `stuff backup` and gets the installed settings.
/// </summary>
public sealed class CommandLinkStep : Step
{
    public override string Name => "The stuff command";

    public override IEnumerable<string> Describe(SetupContext context) =>
        [$"link {context.Layout.CommandLink} to {context.Layout.Executable} (the live release's executable)"];

    public override Task<string?> CheckAsync(SetupContext context, CancellationToken cancellationToken)
    {
        var link = new FileInfo(context.Layout.CommandLink);
        if (link.LinkTarget == context.Layout.Executable) return Task.FromResult<string?>(null);
        if (link.Exists && link.LinkTarget is null)
            throw new ServerException($"{link.FullName} exists and is not a link setup made. Move it away (or remove it), then run setup again.");
        return Task.FromResult<string?>(link.LinkTarget is { } other ? $"{link.FullName} links to {other}" : $"{link.FullName} is missing");
    }

    public override Task ApplyAsync(SetupContext context, CancellationToken cancellationToken)
    {
        var link = context.Layout.CommandLink;
        Directory.CreateDirectory(Path.GetDirectoryName(link)!);
        // A new link moved over the old one: the command is never missing.
        var temporary = link + ".stuff-new";
        File.Delete(temporary);
        File.CreateSymbolicLink(temporary, context.Layout.Executable);
        File.Move(temporary, link, overwrite: true);
        return Task.CompletedTask;
    }
}
