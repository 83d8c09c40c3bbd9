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
    /// <summary>The generic admin pages' declaration; null for a model with pages of its own (users, groups).</summary>
    public ModelAdmin? Admin { get; init; }

    /// <summary>An object's history page, which works whether or not the object still exists.</summary>
    public string HistoryHref(string id) => $"~/admin/{Section}/{Uri.EscapeDataString(id)}/history";

    /// <summary>A model served by the generic admin pages: its names come from its declaration.</summary>
    public static SiteModel For(ModelAdmin admin) =>
        new(admin.Name, admin.Plural, admin.Label, admin.Name, async (db, id, cancellationToken) =>
            await admin.FindAsync(db, id, tracked: false, cancellationToken) is { } entity ? admin.Describe(entity) : null)
        { Admin = admin };
}

/// <summary>
/// The models the site manages, in the order the admin lists them: the one place where a model is
/// declared to the admin (its list, forms and history), the permission catalogue and
/// dumpdata/loaddata. See docs/adding-a-model.md.
/// </summary>
public static class SiteModels
{
    //#if (sample)
    public static SiteModel Stuff { get; } = SiteModel.For(new ModelAdmin<StuffItem>(LogEntry.StuffType, "stuff")
    {
        Describes = s => s.Junk,
        List = [s => s.Junk, s => s.SomeNum, s => s.UpdatedAt],
        Search = [s => s.Junk, s => s.Things],
        Filters = [s => s.UpdatedAt],
        Form = [s => s.Junk, s => s.Things, s => s.SomeNum],
    });

    //#endif
    public static SiteModel Users { get; } = new(LogEntry.UserType, "users", "Users", "user",
        (db, id, cancellationToken) => db.Users.Where(u => u.Id == id).Select(u => u.UserName).FirstOrDefaultAsync(cancellationToken));

    public static SiteModel Groups { get; } = new(LogEntry.GroupType, "groups", "Groups", "group",
        (db, id, cancellationToken) => db.Roles.Where(r => r.Id == id).Select(r => r.Name).FirstOrDefaultAsync(cancellationToken));

#if nosample
    public static IReadOnlyList<SiteModel> All { get; } = [Users, Groups];
#else
    public static IReadOnlyList<SiteModel> All { get; } = [Stuff, Users, Groups];
#endif

    /// <summary>The models the generic admin pages and dumpdata/loaddata serve.</summary>
    public static IReadOnlyList<ModelAdmin> Registered { get; } = [.. All.Select(m => m.Admin).OfType<ModelAdmin>()];

    /// <summary>The model at /admin/{section}, or null.</summary>
    public static SiteModel? AtSection(string section) => All.FirstOrDefault(m => m.Section == section);

    /// <summary>The model a history entry's object type names, or null for a type no longer declared.</summary>
    public static SiteModel? Named(string name) => All.FirstOrDefault(m => m.Name == name);
}
