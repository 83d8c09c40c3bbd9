using System.Security.Claims;

namespace Stuff.Data;

/// <summary>Writes the admin log: every add, change and delete, by whom, in Django's words.</summary>
public static class History
{
    public const string AddedMessage = "Added.";
    public const string DeletedMessage = "Deleted.";
    public const string NothingChangedMessage = "No fields changed.";

    /// <summary>Adds an entry to the context; it is written by the caller's next save, with the change it describes.</summary>
    public static void Record(this AppDbContext db, ClaimsPrincipal who, string objectType, string objectId, string objectRepr, LogAction action, string message)
    {
        var name = who.Identity?.Name ?? "";
        db.Set<LogEntry>().Add(new LogEntry
        {
            ActionTime = Timestamps.Truncate(db.Clock.GetUtcNow().UtcDateTime),
            UserId = who.FindFirstValue(ClaimTypes.NameIdentifier),
            UserName = Truncate(name, LogEntry.UserNameMaxLength),
            ObjectType = objectType,
            ObjectId = objectId,
            ObjectRepr = Truncate(objectRepr, LogEntry.ObjectReprMaxLength),
            Action = action,
            Message = message,
        });
    }

    /// <summary>
    /// Saves a new object and its "Added." entry in one transaction: the entry needs the id
    /// the database gives the object, so there are two saves, and neither stays without the other.
    /// </summary>
    public static async Task SaveAddedAsync(this AppDbContext db, ClaimsPrincipal who, string objectType, Func<(string Id, string Repr)> describe, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        var (id, repr) = describe();
        db.Record(who, objectType, id, repr, LogAction.Added, AddedMessage);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>"Changed title and year." — or "No fields changed." when the save changed nothing.</summary>
    public static string ChangedMessage(IEnumerable<string> fields)
    {
        var names = fields.ToList();
        return names.Count switch
        {
            0 => NothingChangedMessage,
            1 => $"Changed {names[0]}.",
            _ => $"Changed {string.Join(", ", names[..^1])} and {names[^1]}.",
        };
    }

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..(length - 1)] + "…";
}
