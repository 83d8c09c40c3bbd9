using Stuff.Server;

namespace Stuff.Setup;

/// <summary>Files that must be exactly so; a change marks the app for a restart.</summary>
public sealed class FilesStep(string name, Func<SetupContext, IEnumerable<FileSpec>> files, bool restartsApp = false) : Step
{
    public override string Name => name;

    public override IEnumerable<string> Describe(SetupContext context) => files(context).SelectMany(f => f.Describe());

    public override Task<string?> CheckAsync(SetupContext context, CancellationToken cancellationToken) =>
        Task.FromResult(files(context).Select(f => f.Difference()).FirstOrDefault(d => d is not null));

    public override async Task ApplyAsync(SetupContext context, CancellationToken cancellationToken)
    {
        foreach (var file in files(context).Where(f => f.Difference() is not null))
            await file.WriteAsync(context.Shell, cancellationToken);
        if (restartsApp) context.AppRestartNeeded = true;
    }
}
