using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Stuff.Accounts;
using Stuff.Data;

namespace Stuff.Pages.Admin.Stuff;

/// <summary>The admin's list of stuff: search over junk and things, sorting by a column, numbered pages.</summary>
public sealed class IndexModel(AppDbContext db, AdminAccess access) : PageModel
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
        ordered = descending || Sort.Length == 0 ? ordered.ThenByDescending(s => s.Id) : ordered.ThenBy(s => s.Id);
        Rows = await ordered.ToListPageAsync(p, "stuff", cancellationToken);
        return Page();
    }

    /// <summary>The ?o= value a column header links to: ascending first, then the other way.</summary>
    public string SortLink(string key) => Request.With(("o", Sort == key ? "-" + key : key), ("p", null));

    public string? AriaSort(string key) =>
        Sort == key ? "ascending" : Sort == "-" + key ? "descending" : null;
}
