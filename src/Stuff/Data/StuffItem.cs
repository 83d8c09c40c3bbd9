using System.ComponentModel.DataAnnotations;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Stuff.Data;

/// <summary>One row of stuff: the app's only model. (Named StuffItem so it does not clash with the namespace.)</summary>
public sealed class StuffItem : IVersioned, ITimestamped
{
    public const int JunkMaxLength = 200;

    public int Id { get; set; }

    [Required(ErrorMessage = "Enter some junk.")]
    [StringLength(JunkMaxLength, ErrorMessage = "Junk must be at most {1} characters.")]
    public string Junk { get; set; } = "";

    [Required(ErrorMessage = "Enter some things.")]
    public string Things { get; set; } = "";

    [Display(Name = "Some number")]
    public int SomeNum { get; set; }

    [Display(Name = "Created")]
    public DateTime CreatedAt { get; set; }

    [Display(Name = "Updated")]
    public DateTime UpdatedAt { get; set; }

    /// <summary>Bumped on every save; an update or delete whose version no longer matches is refused.</summary>
    public long Version { get; set; }
}

public sealed class StuffItemConfiguration : IEntityTypeConfiguration<StuffItem>
{
    public void Configure(EntityTypeBuilder<StuffItem> builder)
    {
        builder.ToTable("stuff", t =>
        {
            // SQLite ignores varchar lengths, so the length is a check constraint on both databases.
            t.HasCheckConstraint("ck_stuff_junk_length", $"length(trim(junk)) > 0 AND length(junk) <= {StuffItem.JunkMaxLength}");
            t.HasCheckConstraint("ck_stuff_things_not_blank", "length(trim(things)) > 0");
        });
        builder.Property(s => s.Id).HasColumnName("id");
        builder.Property(s => s.Junk).HasColumnName("junk").HasMaxLength(StuffItem.JunkMaxLength).IsRequired();
        builder.Property(s => s.Things).HasColumnName("things").IsRequired();
        builder.Property(s => s.SomeNum).HasColumnName("somenum");
        builder.Property(s => s.CreatedAt).HasColumnName("created_at");
        builder.Property(s => s.UpdatedAt).HasColumnName("updated_at");
        builder.Property(s => s.Version).HasColumnName("version").IsConcurrencyToken();
    }
}
