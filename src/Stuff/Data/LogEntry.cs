using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Stuff.Data;

public enum LogAction
{
    Added = 1,
    Changed = 2,
    Deleted = 3,
}

/// <summary>
/// One change to one object, as Django's admin log keeps them. The object and the user are
/// snapshots (type, id and text as they were), so the history outlives both.
/// </summary>
public sealed class LogEntry
{
    public const int ObjectTypeMaxLength = 20;
    public const int ObjectIdMaxLength = 450;
    public const int ObjectReprMaxLength = 200;
    public const int UserNameMaxLength = 256;

    //#if (sample)
    public const string StuffType = "stuff";
    //#endif
    public const string UserType = "user";
    public const string GroupType = "group";

    public long Id { get; set; }
    public DateTime ActionTime { get; set; }

    /// <summary>Null once the user is deleted; <see cref="UserName"/> still says who it was.</summary>
    public string? UserId { get; set; }
    public string UserName { get; set; } = "";
    public string ObjectType { get; set; } = "";
    public string ObjectId { get; set; } = "";
    public string ObjectRepr { get; set; } = "";
    public LogAction Action { get; set; }
    public string Message { get; set; } = "";
}

public sealed class LogEntryConfiguration : IEntityTypeConfiguration<LogEntry>
{
    public void Configure(EntityTypeBuilder<LogEntry> builder)
    {
        builder.ToTable("admin_log", t =>
            t.HasCheckConstraint("ck_admin_log_action", "action IN (1, 2, 3)"));
        builder.Property(e => e.Id).HasColumnName("id");
        builder.Property(e => e.ActionTime).HasColumnName("action_time");
        builder.Property(e => e.UserId).HasColumnName("user_id");
        builder.Property(e => e.UserName).HasColumnName("username").HasMaxLength(LogEntry.UserNameMaxLength).IsRequired();
        builder.Property(e => e.ObjectType).HasColumnName("object_type").HasMaxLength(LogEntry.ObjectTypeMaxLength).IsRequired();
        builder.Property(e => e.ObjectId).HasColumnName("object_id").HasMaxLength(LogEntry.ObjectIdMaxLength).IsRequired();
        builder.Property(e => e.ObjectRepr).HasColumnName("object_repr").HasMaxLength(LogEntry.ObjectReprMaxLength).IsRequired();
        builder.Property(e => e.Action).HasColumnName("action");
        builder.Property(e => e.Message).HasColumnName("message").IsRequired();
        // The user may be deleted; the history stays, with the username it was made under.
        builder.HasOne<AppUser>().WithMany().HasForeignKey(e => e.UserId).OnDelete(DeleteBehavior.SetNull);
        builder.HasIndex(e => new { e.ObjectType, e.ObjectId, e.ActionTime }).HasDatabaseName("ix_admin_log_object");
        builder.HasIndex(e => new { e.UserId, e.ActionTime }).HasDatabaseName("ix_admin_log_user");
    }
}
