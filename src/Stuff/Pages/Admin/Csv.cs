using System.Globalization;
using System.Text;

namespace Stuff.Pages.Admin;

/// <summary>
/// An admin list as CSV (RFC 4180), written to the response row by row as the database reads
/// them, so a list of a million rows never sits in memory.
/// </summary>
public static class Csv
{
    /// <summary>Sends a header line and one line per row as a download named <paramref name="fileName"/>.</summary>
    public static async Task WriteAsync<T>(HttpResponse response, string fileName, IReadOnlyList<(string Header, Func<T, object?> Value)> columns,
        IAsyncEnumerable<T> rows, CancellationToken cancellationToken)
    {
        response.ContentType = "text/csv; charset=utf-8";
        response.Headers.ContentDisposition = $"attachment; filename=\"{fileName}\"";
        response.Headers.CacheControl = "no-store";
        await using var writer = new StreamWriter(response.Body, new UTF8Encoding(false), bufferSize: 16 * 1024);
        await writer.WriteAsync(Line(columns.Select(c => Cell(c.Header))));
        await foreach (var row in rows.WithCancellation(cancellationToken))
            await writer.WriteAsync(Line(columns.Select(c => Cell(c.Value(row)))));
    }

    private static string Line(IEnumerable<string> cells) => string.Join(',', cells) + "\r\n";

    /// <summary>
    /// One cell. Numbers and times as they are (invariant, ISO 8601); text that a spreadsheet
    /// would run as a formula (=, +, -, @, tab, carriage return first) gets a leading apostrophe;
    /// quoted when it holds a comma, a quote, a line break or spaces at either end.
    /// </summary>
    public static string Cell(object? value)
    {
        var text = value switch
        {
            null => "",
            bool flag => flag ? "true" : "false",
            DateTime time => DateTime.SpecifyKind(time, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture),
            IFormattable number => number.ToString(null, CultureInfo.InvariantCulture),
            string s when s.Length > 0 && s[0] is '=' or '+' or '-' or '@' or '\t' or '\r' => "'" + s,
            _ => value.ToString() ?? "",
        };
        var quote = text.AsSpan().IndexOfAny(",\"\r\n") >= 0 || (text.Length > 0 && (text[0] == ' ' || text[^1] == ' '));
        return quote ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : text;
    }
}
