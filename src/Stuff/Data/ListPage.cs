using Microsoft.EntityFrameworkCore;

namespace Stuff.Data;

/// <summary>What the pager shows of a list page, whatever its rows are.</summary>
public interface IListPage
{
    int Number { get; }
    int Count { get; }
    int Total { get; }

    /// <summary>"stuff", "users": what the total counts.</summary>
    string Noun { get; }

    IEnumerable<int?> Links();
}

/// <summary>One numbered page of an admin list, with the total, as Django's admin shows it.</summary>
public sealed class ListPage<T> : IListPage
{
    public const int Size = 100;

    public IReadOnlyList<T> Items { get; init; } = [];
    public int Number { get; init; } = 1;
    public int Total { get; init; }
    public string Noun { get; init; } = "";
    public int Count => Math.Max(1, (Total + Size - 1) / Size);

    /// <summary>Pages to link: all of them when there are few, else the ends and the neighbourhood of this one (null is a gap).</summary>
    public IEnumerable<int?> Links()
    {
        int? last = null;
        for (var n = 1; n <= Count; n++)
        {
            if (Count > 10 && n > 2 && n < Count - 1 && Math.Abs(n - Number) > 2) continue;
            if (last is { } previous && n != previous + 1) yield return null;
            yield return last = n;
        }
    }
}

public static class Paging
{
    /// <summary>Counts, then fetches page <paramref name="number"/>; unusable numbers mean the first page and past the end the last.</summary>
    public static async Task<ListPage<T>> ToListPageAsync<T>(this IQueryable<T> query, int? number, string noun, CancellationToken cancellationToken)
    {
        var total = await query.CountAsync(cancellationToken);
        var count = Math.Max(1, (total + ListPage<T>.Size - 1) / ListPage<T>.Size);
        var page = Math.Clamp(number ?? 1, 1, count);
        // A plain variable: EF Core would compile a delegate per request to evaluate an expression.
        var skip = (page - 1) * ListPage<T>.Size;
        var items = await query.Skip(skip).Take(ListPage<T>.Size).ToListAsync(cancellationToken);
        return new ListPage<T> { Items = items, Number = page, Total = total, Noun = noun };
    }
}
