using Stuff.Data;

namespace Stuff.Accounts;

/// <summary>One permission: an action on a model, as Django's admin has them ("stuff.change").</summary>
public sealed record Permission(string Model, string Action, string ModelLabel)
{
    public string Value => $"{Model}.{Action}";

    public string Label => $"Can {Action} {ModelLabel}";
}

/// <summary>
/// The catalogue of permissions. Groups hold them as role claims and users as user claims, all
/// of type <see cref="ClaimType"/>; a value that is not listed here is refused by every form.
/// </summary>
public static class Permissions
{
    public const string ClaimType = "stuff.permission";

    public const string View = "view";
    public const string Add = "add";
    public const string Change = "change";
    public const string Delete = "delete";

    public const string UserModel = "user";
    public const string GroupModel = "group";

    //#if (sample)
    public const string StuffView = "stuff.view";
    public const string StuffAdd = "stuff.add";
    public const string StuffChange = "stuff.change";
    public const string StuffDelete = "stuff.delete";
    //#endif
    public const string UserView = "user.view";
    public const string UserAdd = "user.add";
    public const string UserChange = "user.change";
    public const string UserDelete = "user.delete";
    public const string GroupView = "group.view";
    public const string GroupAdd = "group.add";
    public const string GroupChange = "group.change";
    public const string GroupDelete = "group.delete";

    /// <summary>What may be done to an object of a model, in the order forms offer them.</summary>
    public static IReadOnlyList<string> Actions { get; } = [View, Add, Change, Delete];

    /// <summary>Every action on every model the site declares (<see cref="SiteModels"/>).</summary>
    public static IReadOnlyList<Permission> All { get; } =
        [.. SiteModels.All.SelectMany(model => Actions.Select(action => new Permission(model.Name, action, model.Singular)))];

    private static readonly HashSet<string> Values = [.. All.Select(p => p.Value)];

    public static bool Exists(string? value) => value is not null && Values.Contains(value);

    public static string For(string model, string action) => $"{model}.{action}";
}
