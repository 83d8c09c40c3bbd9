using System.Text.Json.Serialization;

namespace Stuff.Doctor;

public enum Verdict { Ok, Warning, Failed, Skipped }

/// <summary>
/// One line of the doctor's report. <see cref="Id"/> is stable for scripts (env-file, database ...);
/// a failure or warning carries its cause in plain words and the exact command or edit that fixes it.
/// </summary>
public sealed record Finding(string Id, string Name, Verdict Verdict, string Summary, string? Cause = null, string? Fix = null)
{
    /// <summary>Lines worth seeing with the verdict, such as the last lines of a log.</summary>
    public IReadOnlyList<string> Details { get; init; } = [];

    public static Finding Ok(string id, string name, string summary) => new(id, name, Verdict.Ok, summary);

    public static Finding Skipped(string id, string name, string why) => new(id, name, Verdict.Skipped, why);

    public static Finding Failed(string id, string name, string summary, string cause, string fix) => new(id, name, Verdict.Failed, summary, cause, fix);

    public static Finding Warning(string id, string name, string summary, string cause, string fix) => new(id, name, Verdict.Warning, summary, cause, fix);
}
