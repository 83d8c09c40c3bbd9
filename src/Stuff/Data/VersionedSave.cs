using Microsoft.EntityFrameworkCore;

namespace Stuff.Data;

/// <summary>
/// Saving a change to a row that a form showed at a given version: the change is written only if
/// the row is still at that version, otherwise nothing is written and the row as it is now comes back.
/// </summary>
public static class VersionedSave
{
    /// <summary>
    /// Applies <paramref name="change"/> and saves when <paramref name="item"/> is still at
    /// <paramref name="version"/>. Saved is false on a conflict; Current is then the row as it is
    /// now, or null when someone deleted it meanwhile.
    /// </summary>
    public static async Task<(bool Saved, StuffItem? Current)> SaveAtVersionAsync(this AppDbContext db, StuffItem item, long version, Action change, CancellationToken cancellationToken)
    {
        if (item.Version != version) return (false, item);
        db.Entry(item).Property(s => s.Version).OriginalValue = version;
        change();
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return (true, null);
        }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Clear();
            return (false, await db.Stuff.AsNoTracking().FirstOrDefaultAsync(s => s.Id == item.Id, cancellationToken));
        }
    }
}
