using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Stuff.Accounts;
using Stuff.Data;

namespace Stuff.Pages.Admin.Stuff;

/// <summary>The admin's list of stuff: search over junk and things, sorting by a column, numbered pages, and the whole list as CSV.</summary>
public sealed class IndexModel(AppDbContext db, AdminAccess access, TimeProvider clock) : PageModel
{
    /// <summary>The sortable columns, by the name ?o= uses (with a leading "-" for descending).</summary>
    public static readonly IReadOnlyList<(string Key, string Label)> Columns = [("junk", "Junk"), ("somenum", "Some number"), ("updated", "Updated")];

    public ListPage<StuffItem> Rows { get; private set; } = new();
    public string? Search { get; private set; }

    /// <summary>The sort in effect, e.g. "-updated"; empty for the default (newest first).</summary>
    public string Sort { get; private set; } = "";
    public Grant Grant { get; private set; } = Grant.None;

    public async Task<IActionResult> OnGetAsync(string? q, string? o, [FromQuery(Name = "p")] int? p, CancellationToken cancellationToken)
    {
        // No form here: a query value that does not bind (?p=x) just means the default.
        ModelState.Clear();
        Grant = await access.GetAsync(User, cancellationToken);
        if (!Grant.CanSee(Permissions.StuffModel)) return Forbid();

        Rows = await Listed(q, o).ToListPageAsync(p, "stuff", cancellationToken);
        return Page();
    }

    /// <summary>The list as it is searched and sorted, every row of it, as CSV (?handler=export).</summary>
    public async Task<IActionResult> OnGetExportAsync(string? q, string? o, CancellationToken cancellationToken)
    {
        ModelState.Clear();
        if (!(await access.GetAsync(User, cancellationToken)).CanSee(Permissions.StuffModel)) return Forbid();

        await Csv.WriteAsync(Response, $"stuff-{clock.GetUtcNow():yyyy-MM-dd}.csv", ExportColumns, Listed(q, o).AsAsyncEnumerable(), cancellationToken);
        return new EmptyResult();
    }

    /// <summary>Every field of a row, as the export writes them.</summary>
    public static readonly IReadOnlyList<(string Header, Func<StuffItem, object?> Value)> ExportColumns =
    [
        ("id", s => s.Id), ("junk", s => s.Junk), ("things", s => s.Things), ("somenum", s => s.SomeNum),
        ("created_at", s => s.CreatedAt), ("updated_at", s => s.UpdatedAt),
    ];

    /// <summary>The query for ?q= and ?o=: unknown columns mean the default order, newest first.</summary>
    private IOrderedQueryable<StuffItem> Listed(string? q, string? o)
    {
        var query = db.Stuff.AsNoTracking();
        Search = q?.Trim();
        if (!string.IsNullOrEmpty(Search))
        {
            var pattern = Paging.Contains(Search);
            query = query.Where(s => EF.Functions.Like(s.Junk.ToLower(), pattern, Paging.LikeEscape)
                || EF.Functions.Like(s.Things.ToLower(), pattern, Paging.LikeEscape));
        }

        Sort = Columns.Any(c => c.Key == o?.TrimStart('-')) ? o! : "";
        var descending = Sort.StartsWith('-');
        IOrderedQueryable<StuffItem> ordered = Sort.TrimStart('-') switch
        {
            "junk" => descending ? query.OrderByDescending(s => s.Junk) : query.OrderBy(s => s.Junk),
            "somenum" => descending ? query.OrderByDescending(s => s.SomeNum) : query.OrderBy(s => s.SomeNum),
            "updated" => descending ? query.OrderByDescending(s => s.UpdatedAt) : query.OrderBy(s => s.UpdatedAt),
            _ => query.OrderByDescending(s => s.Id),
        };
        // Ties are broken by id, so a row never shows on two pages or on none.
        return descending || Sort.Length == 0 ? ordered.ThenByDescending(s => s.Id) : ordered.ThenBy(s => s.Id);
    }

    /// <summary>The export link: this list's search and sort, every page.</summary>
    public string ExportLink => Request.With(("handler", "export"), ("p", null));

    /// <summary>The ?o= value a column header links to: ascending first, then the other way.</summary>
    public string SortLink(string key) => Request.With(("o", Sort == key ? "-" + key : key), ("p", null));

    public string? AriaSort(string key) =>
        Sort == key ? "ascending" : Sort == "-" + key ? "descending" : null;
}
