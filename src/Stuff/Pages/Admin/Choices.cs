using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.EntityFrameworkCore;
using Stuff.Accounts;
using Stuff.Data;

namespace Stuff.Pages.Admin;

/// <summary>A set of checkboxes: the field's name, what can be ticked (value, label) and what is.</summary>
public sealed record Choices(string Name, string Legend, IReadOnlyList<(string Value, string Label)> Options, IReadOnlyCollection<string> Selected);

/// <summary>Checks posted permissions and groups against what exists, so nothing unknown is ever written.</summary>
public static class ChoiceChecks
{
    public static Choices PermissionChoices(string name, IReadOnlyCollection<string> selected) =>
        new(name, "Permissions", [.. Permissions.All.Select(p => (p.Value, p.Label))], selected);

    /// <summary>Adds an error for each value that is not a permission; returns the valid ones, without repeats.</summary>
    public static string[] CheckPermissions(string[]? values, ModelStateDictionary modelState, string field)
    {
        var distinct = (values ?? []).Distinct().ToArray();
        foreach (var unknown in distinct.Where(v => !Permissions.Exists(v)))
            modelState.AddModelError(field, $"“{unknown}” is not a permission. Choose from the list.");
        return [.. distinct.Where(Permissions.Exists)];
    }

    public static async Task<Choices> GroupChoicesAsync(AppDbContext db, string name, IReadOnlyCollection<string> selected, CancellationToken cancellationToken)
    {
        var groups = await db.Roles.AsNoTracking().OrderBy(r => r.Name).Select(r => new { r.Id, r.Name }).ToListAsync(cancellationToken);
        return new(name, "Groups", [.. groups.Select(g => (g.Id, g.Name ?? g.Id))], selected);
    }

    /// <summary>Adds an error for each value that is not a group id; returns the valid ones, without repeats.</summary>
    public static async Task<string[]> CheckGroupsAsync(AppDbContext db, string[]? values, ModelStateDictionary modelState, string field, CancellationToken cancellationToken)
    {
        var distinct = (values ?? []).Distinct().ToArray();
        var known = await db.Roles.Where(r => distinct.Contains(r.Id)).Select(r => r.Id).ToListAsync(cancellationToken);
        foreach (var unknown in distinct.Except(known))
            modelState.AddModelError(field, $"“{unknown}” is not a group. Choose from the list.");
        return [.. known];
    }
}
