using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.EntityFrameworkCore;
using Stuff.Data;

namespace Stuff.Pages.Admin.Groups;

/// <summary>A group's fields, shared by the add and change pages: a unique name and a set of permissions.</summary>
public sealed class GroupForm
{
    public const int NameMaxLength = 150;

    [Required(ErrorMessage = "Enter a name.")]
    [StringLength(NameMaxLength, ErrorMessage = "Group names must be at most {1} characters.")]
    [Display(Name = "Name")]
    public string? Name { get; set; }

    public string[] Permissions { get; set; } = [];

    public static string TakenMessage(string name) => $"A group named “{name}” already exists.";

    /// <summary>Adds errors for a taken name or unknown permissions; returns the valid permissions.</summary>
    public async Task<string[]> CheckAsync(AppDbContext db, ILookupNormalizer normalizer, string? exceptId, ModelStateDictionary modelState, string prefix, CancellationToken cancellationToken)
    {
        var permissions = ChoiceChecks.CheckPermissions(Permissions, modelState, $"{prefix}.{nameof(Permissions)}");
        if (!string.IsNullOrWhiteSpace(Name))
        {
            var normalized = normalizer.NormalizeName(Name.Trim());
            if (await db.Roles.AnyAsync(r => r.NormalizedName == normalized && r.Id != exceptId, cancellationToken))
                modelState.AddModelError($"{prefix}.{nameof(Name)}", TakenMessage(Name.Trim()));
        }
        return permissions;
    }

    /// <summary>Makes the group's permission claims exactly <paramref name="permissions"/>; true when that changed them.</summary>
    public static async Task<bool> SetPermissionsAsync(AppDbContext db, string roleId, string[] permissions, CancellationToken cancellationToken)
    {
        var current = await db.RoleClaims.Where(c => c.RoleId == roleId && c.ClaimType == Accounts.Permissions.ClaimType).ToListAsync(cancellationToken);
        if (current.Select(c => c.ClaimValue).ToHashSet().SetEquals(permissions)) return false;
        db.RoleClaims.RemoveRange(current.Where(c => !permissions.Contains(c.ClaimValue)));
        db.RoleClaims.AddRange(permissions.Except(current.Select(c => c.ClaimValue!))
            .Select(p => new IdentityRoleClaim<string> { RoleId = roleId, ClaimType = Accounts.Permissions.ClaimType, ClaimValue = p }));
        return true;
    }

    /// <summary>False when the name is taken: by Identity's own check, or by the unique index when someone took it between the check and the save.</summary>
    public static async Task<bool> SavedAsync(Task<IdentityResult> save)
    {
        try
        {
            return (await save).Succeeded;
        }
        catch (DbUpdateException)
        {
            return false;
        }
    }
}
