using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Stuff.Accounts;
using Stuff.Data;

namespace Stuff.Pages.Admin.Models;

/// <summary>
/// A registered model's list: search, filters, sorting by any listed column, numbered pages,
/// and the whole searched, filtered, sorted list as CSV (?handler=export).
/// </summary>
public sealed class IndexModel(AppDbContext db, AdminAccess access, TimeProvider clock) : ModelPage(db, access)
{
    public ListPage<object> Rows { get; private set; } = new();
    public ListRequest Listing { get; private set; } = new();

    /// <summary>The values each value filter offers.</summary>
    public Dictionary<ModelField, IReadOnlyList<object?>> Choices { get; } = [];

    public async Task<IActionResult> OnGetAsync(string section, CancellationToken cancellationToken)
    {
        // No form here: the query is read by the model's own rules below.
        ModelState.Clear();
        if (await OpenAsync(section, null, cancellationToken) is { } refused) return refused;

        Listing = Read();
        foreach (var filter in Fields.Filters.Where(f => f.Kind == FilterKind.Values))
            Choices[filter.Field] = await Admin.ValuesAsync(Db, filter.Field, cancellationToken);
        if (Listing.Error is not null) return new PageResult { StatusCode = StatusCodes.Status400BadRequest };
        Rows = await Admin.ListAsync(Db, Listing, cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnGetExportAsync(string section, CancellationToken cancellationToken)
    {
        ModelState.Clear();
        if (await OpenAsync(section, null, cancellationToken) is { } refused) return refused;
        var request = Read();
        if (request.Error is not null) return BadRequest(request.Error);

        var columns = Fields.All.Select(f => (f.Key, (Func<object, object?>)f.Get)).ToList();
        await Csv.WriteAsync(Response, $"{Admin.Plural}-{clock.GetUtcNow():yyyy-MM-dd}.csv", columns, Admin.Stream(Db, request), cancellationToken);
        return new EmptyResult();
    }

    private ListRequest Read() => Admin.Read(Db,
        Request.Query.SelectMany(q => q.Value.Select(v => new KeyValuePair<string, string?>(q.Key, v))),
        DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime));

    /// <summary>The export link: this list's search, filters and sort, every page.</summary>
    public string ExportLink => Request.With(("handler", "export"), ("p", null));

    /// <summary>The ?o= value a column header links to: ascending first, then the other way.</summary>
    public string SortLink(ModelField field) => Request.With(("o", Listing.Sort == field.Key ? "-" + field.Key : field.Key), ("p", null));

    public string? AriaSort(ModelField field) =>
        Listing.Sort == field.Key ? "ascending" : Listing.Sort == "-" + field.Key ? "descending" : null;

    /// <summary>One choice of a filter: its label, its link, and whether it is the one in effect.</summary>
    public sealed record Choice(string Label, string Href, bool Current);

    public IEnumerable<Choice> ChoicesOf(ListFilter filter)
    {
        var key = filter.Field.Key;
        if (filter.Kind == FilterKind.DateRange)
        {
            var today = Listing.Today;
            var range = Listing.Ranges.GetValueOrDefault(filter.Field);
            (string Label, DateOnly? From, DateOnly? To)[] ranges =
            [
                ("Any date", null, null),
                ("Today", today, today),
                ("Past 7 days", today.AddDays(-6), today),
                ("This month", new DateOnly(today.Year, today.Month, 1), today),
                ("This year", new DateOnly(today.Year, 1, 1), today),
            ];
            foreach (var (label, from, to) in ranges)
                yield return new(label, Request.With((key + ".from", Day(from)), (key + ".to", Day(to)), ("p", null)), range.From == from && range.To == to);
            yield break;
        }

        var current = Listing.Equal.GetValueOrDefault(filter.Field);
        yield return new("All", Request.With((key, null), ("p", null)), current is null);
        if (filter.Kind == FilterKind.Boolean)
        {
            yield return new("Yes", Request.With((key, "yes"), ("p", null)), current is true);
            yield return new("No", Request.With((key, "no"), ("p", null)), current is false);
            yield break;
        }
        foreach (var value in (Choices.GetValueOrDefault(filter.Field) ?? []).Take(ModelAdmin.MaxChoices))
        {
            if (value is null) continue;
            yield return new(filter.Field.Display(value), Request.With((key, filter.Field.Text(value)), ("p", null)), Equals(current, value));
        }
    }

    /// <summary>The column has more values than a filter offers; the rest are reached by the address or a search.</summary>
    public bool HasMoreChoices(ListFilter filter) => Choices.GetValueOrDefault(filter.Field)?.Count > ModelAdmin.MaxChoices;

    private static string? Day(DateOnly? day) => day?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The list's other parameters, kept by a form that changes one of them.</summary>
    public IEnumerable<(string Name, string Value)> Kept(params string[] except) =>
        Request.Query.Where(q => !except.Contains(q.Key) && q.Key is not ("p" or "handler"))
            .SelectMany(q => q.Value.Select(v => (q.Key, v ?? "")));
}
