using System.ComponentModel.DataAnnotations;
using Stuff.Data;

namespace Stuff.Pages.Stuff;

/// <summary>The fields a person edits, with the same rules as the schema. Shared by the new and edit pages.</summary>
public sealed class StuffForm
{
    /// <summary>What a person is told when their save or delete meets a newer version of the row.</summary>
    public const string ConflictHeading = "This stuff was changed by someone else since you opened it.";

    [Required(ErrorMessage = "Enter some junk.")]
    [StringLength(StuffItem.JunkMaxLength, ErrorMessage = "Junk must be at most {1} characters.")]
    [Display(Name = "Junk")]
    public string? Junk { get; set; }

    [Required(ErrorMessage = "Enter some things.")]
    [Display(Name = "Things")]
    public string? Things { get; set; }

    [Required(ErrorMessage = "Enter a whole number.")]
    [Display(Name = "Some number")]
    public int? SomeNum { get; set; }

    public static StuffForm From(StuffItem item) => new() { Junk = item.Junk, Things = item.Things, SomeNum = item.SomeNum };

    /// <summary>The fields this form would change, by their column names, for the history ("Changed junk and somenum.").</summary>
    public IEnumerable<string> ChangedFields(StuffItem item)
    {
        if (item.Junk != Junk!.Trim()) yield return "junk";
        if (item.Things != Things) yield return "things";
        if (item.SomeNum != SomeNum) yield return "somenum";
    }

    public void ApplyTo(StuffItem item)
    {
        item.Junk = Junk!.Trim();
        item.Things = Things!;
        item.SomeNum = SomeNum!.Value;
    }
}
