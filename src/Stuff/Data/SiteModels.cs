using Microsoft.EntityFrameworkCore;

namespace Stuff.Data;

/// <summary>
/// One model the site manages, as the admin, the permissions and the history know it.
/// </summary>
/// <param name="Name">The permissions' prefix (`stuff.view`) and the history's object type.</param>
/// <param name="Section">Its address under /admin (`/admin/stuff`).</param>
/// <param name="Label">The heading of its admin list ("Stuff", "Users").</param>
/// <param name="Singular">One object of it, in a sentence ("Can view stuff", "Can add user").</param>
/// <param name="CurrentName">An object's name as it is now, from its id; null when there is no such object (any more).</param>
public sealed record SiteModel(
    string Name,
    string Section,
    string Label,
    string Singular,
    Func<AppDbContext, string, CancellationToken, Task<string?>> CurrentName)
{
    /// <summary>An object's history page, which works whether or not the object still exists.</summary>
    public string HistoryHref(string id) => $"~/admin/{Section}/{Uri.EscapeDataString(id)}/history";
}

/// <summary>
/// The models the site manages, in the order the admin lists them: one place where a model is
/// declared to the admin home, the permission catalogue and the history.
/// </summary>
public static class SiteModels
{
    public static SiteModel Stuff { get; } = new(LogEntry.StuffType, "stuff", "Stuff", "stuff",
        async (db, id, cancellationToken) => int.TryParse(id, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var key)
            ? await db.Stuff.Where(s => s.Id == key).Select(s => s.Junk).FirstOrDefaultAsync(cancellationToken)
            : null);

    public static SiteModel Users { get; } = new(LogEntry.UserType, "users", "Users", "user",
        (db, id, cancellationToken) => db.Users.Where(u => u.Id == id).Select(u => u.UserName).FirstOrDefaultAsync(cancellationToken));

    public static SiteModel Groups { get; } = new(LogEntry.GroupType, "groups", "Groups", "group",
        (db, id, cancellationToken) => db.Roles.Where(r => r.Id == id).Select(r => r.Name).FirstOrDefaultAsync(cancellationToken));

    public static IReadOnlyList<SiteModel> All { get; } = [Stuff, Users, Groups];

    /// <summary>The model at /admin/{section}, or null.</summary>
    public static SiteModel? AtSection(string section) => All.FirstOrDefault(m => m.Section == section);

    /// <summary>The model a history entry's object type names, or null for a type no longer declared.</summary>
    public static SiteModel? Named(string name) => All.FirstOrDefault(m => m.Name == name);
}
