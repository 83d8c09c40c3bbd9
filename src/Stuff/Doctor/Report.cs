using System.Text.Json;
using System.Text.Json.Serialization;

namespace Stuff.Doctor;

/// <summary>Prints findings for people (one line each, cause and fix indented below) or as JSON.</summary>
public static class Report
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        // Read by people and scripts, never embedded in a page: quotes and apostrophes stay readable.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };

    public static string Label(Verdict verdict) => verdict switch
    {
        Verdict.Ok => "ok",
        Verdict.Warning => "warning",
        Verdict.Failed => "FAILED",
        _ => "skipped",
    };

    public static async Task WriteTextAsync(TextWriter output, IReadOnlyList<Finding> findings)
    {
        foreach (var finding in findings)
        {
            await output.WriteLineAsync($"{Label(finding.Verdict),-8} {finding.Name}: {finding.Summary}");
            if (finding.Cause is not null) await output.WriteLineAsync($"         cause: {Indent(finding.Cause, 16)}");
            if (finding.Fix is not null) await output.WriteLineAsync($"         fix:   {Indent(finding.Fix, 16)}");
            foreach (var line in finding.Details) await output.WriteLineAsync($"         | {line}");
        }
        await output.WriteLineAsync();
        await output.WriteLineAsync(Totals(findings));
    }

    public static Task WriteJsonAsync(TextWriter output, string host, IReadOnlyList<Finding> findings) =>
        output.WriteLineAsync(JsonSerializer.Serialize(new
        {
            host,
            ok = !findings.Any(f => f.Verdict == Verdict.Failed),
            summary = Totals(findings),
            checks = findings,
        }, Json));

    public static string Totals(IReadOnlyList<Finding> findings)
    {
        int Count(Verdict v) => findings.Count(f => f.Verdict == v);
        return $"{Count(Verdict.Ok)} ok, {Count(Verdict.Warning)} warning(s), {Count(Verdict.Failed)} failed, {Count(Verdict.Skipped)} skipped";
    }

    public static int ExitCode(IReadOnlyList<Finding> findings) => findings.Any(f => f.Verdict == Verdict.Failed) ? 1 : 0;

    private static string Indent(string text, int width) =>
        text.Replace("\n", "\n" + new string(' ', width), StringComparison.Ordinal);
}
