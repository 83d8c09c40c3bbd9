using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Stuff.Accounts;
using Stuff.Data;

namespace Stuff.Pages.Admin.Models;

/// <summary>
/// What the admin's pages for a registered model (<see cref="ModelAdmin"/>) share: the model
/// named by the address, the user's permissions on it, and reading and applying its form.
/// </summary>
public abstract class ModelPage(AppDbContext db, AdminAccess access) : PageModel
{
    /// <summary>The form's fields are named Form.{property}.</summary>
    public const string Prefix = "Form.";

    protected AppDbContext Db => db;

    public ModelAdmin Admin { get; private set; } = null!;
    public ModelFields Fields { get; private set; } = null!;
    public Grant Grant { get; private set; } = Grant.None;

    /// <summary>The form's text per field, as it was shown or sent back.</summary>
    public Dictionary<string, string?> Values { get; } = [];

    public string ListHref => $"~/admin/{Admin.Plural}";

    public string IdOf(object entity) => Admin.Id(db, entity);

    public string Href(object entity, string page) => $"~/admin/{Admin.Plural}/{Uri.EscapeDataString(IdOf(entity))}/{page}";

    public bool May(string action) => Grant.Has(Permissions.For(Admin.Name, action));

    /// <summary>
    /// Finds the model at /admin/{section} and checks the user may take <paramref name="action"/>
    /// (null: may see the list). Null when the page may go on; else 404 or 403.
    /// </summary>
    protected async Task<IActionResult?> OpenAsync(string section, string? action, CancellationToken cancellationToken)
    {
        if (SiteModels.AtSection(section)?.Admin is not { } admin) return NotFound();
        Admin = admin;
        Fields = admin.Fields(db);
        Grant = await access.GetAsync(User, cancellationToken);
        var allowed = action is null ? Grant.CanSee(admin.Name) : May(action);
        return allowed ? null : Forbid();
    }

    /// <summary>Shows an object's values in the form.</summary>
    protected void Show(object entity)
    {
        foreach (var field in Fields.Form) Values[field.Name] = field.Text(field.Get(entity));
    }

    /// <summary>
    /// Reads and checks every field of the posted form; each problem goes next to its field.
    /// Null when any field is wrong (nothing may be written then).
    /// </summary>
    protected Dictionary<ModelField, object?>? ReadForm()
    {
        var parsed = new Dictionary<ModelField, object?>();
        foreach (var field in Fields.Form)
        {
            var text = Request.Form.TryGetValue(Prefix + field.Name, out var sent) ? sent.ToString() : null;
            Values[field.Name] = text;
            if (field.TryParse(text, out var value, out var error)) parsed[field] = value;
            else ModelState.AddModelError(Prefix + field.Name, error!);
        }
        return ModelState.IsValid ? parsed : null;
    }

    /// <summary>The columns the form would change, for the history ("Changed title and year.").</summary>
    protected static IEnumerable<string> ChangedFields(object entity, Dictionary<ModelField, object?> values) =>
        values.Where(v => !Equals(v.Key.Get(entity), v.Value)).Select(v => v.Key.Key);

    protected static void Apply(object entity, Dictionary<ModelField, object?> values)
    {
        foreach (var (field, value) in values) field.Set(entity, value);
    }
}
