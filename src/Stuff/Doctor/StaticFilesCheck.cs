using Stuff.Server;

namespace Stuff.Doctor;

/// <summary>The static files Apache serves from disk are those of the installed release.</summary>
public sealed class StaticFilesCheck : DoctorCheck
{
    private const string Id = "static-files";
    private const string Name = "Static files";

    public override async Task<IReadOnlyList<Finding>> RunAsync(DoctorContext context, CancellationToken cancellationToken)
    {
        var layout = context.Layout;
        var fix = $"sudo {layout.Executable} collectstatic --output {layout.StaticRoot} && sudo chown -R root:{Layout.DeployGroup} {layout.StaticRoot}";
        if (!File.Exists(layout.Executable))
            return [Finding.Skipped(Id, Name, $"no release installed at {layout.Executable}")];
        if (!Directory.Exists(Path.Combine(layout.StaticRoot, "static")))
        {
            return [Finding.Failed(Id, Name, $"{layout.StaticRoot}/static does not exist",
                "collectstatic never ran: Apache answers 404 for the stylesheet and pages show unstyled", fix)];
        }
        // The installed executable compares its own files with the directory, as setup does.
        var result = await context.Shell.RunAsync(layout.Executable, ["collectstatic", "--check", "--output", layout.StaticRoot], cancellationToken);
        if (result.Ok) return [Finding.Ok(Id, Name, result.Output.Trim())];
        return [Finding.Failed(Id, Name, result.Output.Trim().Length > 0 ? result.Output.Trim() : result.Tail(2),
            "the files Apache serves are not those of the installed release (missing, or left from an older one): pages link to names that are not there", fix)];
    }
}
