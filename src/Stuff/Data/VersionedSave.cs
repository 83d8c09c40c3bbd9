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
    /// now (not tracked), or null when someone deleted it meanwhile.
    /// </summary>
    public static async Task<(bool Saved, T? Current)> SaveAtVersionAsync<T>(this AppDbContext db, T item, long version, Action change, CancellationToken cancellationToken)
        where T : class, IVersioned
    {
        if (item.Version != version) return (false, item);
        var entry = db.Entry(item);
        entry.Property(nameof(IVersioned.Version)).OriginalValue = version;
        var key = entry.Metadata.FindPrimaryKey()!.Properties.Select(p => entry.Property(p.Name).CurrentValue).ToArray();
        change();
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return (true, null);
        }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Clear();
            var current = (T?)await db.FindAsync(entry.Metadata.ClrType, key, cancellationToken);
            if (current is not null) db.Entry(current).State = EntityState.Detached;
            return (false, current);
        }
    }
}
