using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Stuff.Data;

namespace Stuff.Pages.Stuff;

/// <summary>
/// The public list, a hundred rows at a time in id order. Next and Previous are keyset links
/// (?after=ID, ?before=ID), so a page deep in a million rows costs what the first one does;
/// ?page=N is an offset and is allowed for the first <see cref="MaxPageNumber"/> pages only.
/// Large tables show an estimated count (<see cref="StuffTableSize"/>).
/// </summary>
public sealed class IndexModel(AppDbContext db, StuffTableSize tableSize) : PageModel
{
    public const int PageSize = 100;
    public const int MaxPageNumber = 100;

    public IReadOnlyList<StuffItem> Items { get; private set; } = [];
    public long Total { get; private set; }
    public bool TotalIsEstimate { get; private set; }

    /// <summary>The page number, when the page was reached by number; keyset pages have none.</summary>
    public int? PageNumber { get; private set; }
    public int? PageCount => TotalIsEstimate ? null : (int)Math.Max(1, (Total + PageSize - 1) / PageSize);
    public bool HasPrevious { get; private set; }
    public bool HasNext { get; private set; }

    // "page" is also the route value Razor Pages uses for the page's own name, so the query
    // parameter is bound by name to a differently named argument.
    public async Task<IActionResult> OnGetAsync([FromQuery(Name = "page")] int? page, int? after, int? before, CancellationToken cancellationToken)
    {
        // The page has no form: binding errors can only be unusable query values, which mean "the first page".
        ModelState.Clear();
        List<StuffItem> rows;
        var counted = false;

        // A keyset link comes from a row on the page it was followed from, so the way back
        // exists; not asking the database saves a round trip on every page.
        if (after is { } afterId)
        {
            rows = await Rows(db, From.After, afterId).ToListAsync(cancellationToken);
            HasNext = rows.Count > PageSize;
            HasPrevious = true;
        }
        else if (before is { } beforeId)
        {
            rows = await Rows(db, From.Before, beforeId).ToListAsync(cancellationToken);
            HasPrevious = rows.Count > PageSize;
            rows = [.. rows.Take(PageSize).Reverse()];
            HasNext = true;
        }
        else if (page is not > 1)
        {
            PageNumber = 1;
            rows = await Rows(db, From.Offset, 0).ToListAsync(cancellationToken);
            HasNext = rows.Count > PageSize;
        }
        else
        {
            // Past the end shows the last page, so the count comes first.
            (Total, TotalIsEstimate) = await tableSize.GetAsync(db, cancellationToken);
            counted = true;
            var number = page.Value;
            if (PageCount is { } count) number = Math.Min(number, count);
            else if (number > MaxPageNumber)
            {
                ModelState.AddModelError("page", $"Page numbers go up to {MaxPageNumber}; use Next and Previous to go further.");
                Response.StatusCode = StatusCodes.Status400BadRequest;
                return Page();
            }
            PageNumber = number;
            rows = await Rows(db, From.Offset, (number - 1) * PageSize).ToListAsync(cancellationToken);
            HasNext = rows.Count > PageSize;
            HasPrevious = number > 1;
        }

        Items = rows.Count > PageSize ? rows[..PageSize] : rows;
        // A first page that holds every row has counted them; only a longer list asks for its size.
        if (!counted)
            (Total, TotalIsEstimate) = HasNext || HasPrevious ? await tableSize.GetAsync(db, cancellationToken) : (Items.Count, false);
        return Page();
    }

    private enum From { Offset, After, Before }

    private static IAsyncEnumerable<StuffItem> Rows(AppDbContext db, From from, int value) => db switch
    {
        PostgresDbContext postgres => Queries<PostgresDbContext>.Rows(postgres, from, value),
        SqliteDbContext sqlite => Queries<SqliteDbContext>.Rows(sqlite, from, value),
        _ => throw new NotSupportedException($"No list queries for {db.GetType().Name}."),
    };

    /// <summary>
    /// The page's queries, compiled once: a LINQ query is otherwise built, parameterised and looked
    /// up in EF Core's query cache on every request. A compiled query serves one model only, so
    /// each context type has its own. Each reads one row more than a page, to know whether there
    /// is a next one, and only the columns the page shows (as the ceiling does).
    /// </summary>
    private static class Queries<TContext> where TContext : AppDbContext
    {
        private static readonly Func<TContext, int, IAsyncEnumerable<StuffItem>> Offset = EF.CompileAsyncQuery(
            (TContext db, int skip) => db.Stuff.AsNoTracking().OrderBy(s => s.Id).Skip(skip).Take(PageSize + 1)
                .Select(s => new StuffItem { Id = s.Id, Junk = s.Junk, Things = s.Things, SomeNum = s.SomeNum }));

        private static readonly Func<TContext, int, IAsyncEnumerable<StuffItem>> After = EF.CompileAsyncQuery(
            (TContext db, int after) => db.Stuff.AsNoTracking().Where(s => s.Id > after).OrderBy(s => s.Id).Take(PageSize + 1)
                .Select(s => new StuffItem { Id = s.Id, Junk = s.Junk, Things = s.Things, SomeNum = s.SomeNum }));

        private static readonly Func<TContext, int, IAsyncEnumerable<StuffItem>> Before = EF.CompileAsyncQuery(
            (TContext db, int before) => db.Stuff.AsNoTracking().Where(s => s.Id < before).OrderByDescending(s => s.Id).Take(PageSize + 1)
                .Select(s => new StuffItem { Id = s.Id, Junk = s.Junk, Things = s.Things, SomeNum = s.SomeNum }));

        public static IAsyncEnumerable<StuffItem> Rows(TContext db, From from, int value) => from switch
        {
            From.After => After(db, value),
            From.Before => Before(db, value),
            _ => Offset(db, value),
        };
    }
}
