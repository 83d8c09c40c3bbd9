using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Stuff.Data;

namespace Stuff.Accounts;

/// <summary>What the signed-in user may do in the admin, read from the database.</summary>
public sealed record Grant(string UserId, bool IsActive, bool IsStaff, bool IsSuperuser, IReadOnlySet<string> Permissions)
{
    public static readonly Grant None = new("", false, false, false, new HashSet<string>());

    public bool CanEnterAdmin => IsActive && IsStaff;

    /// <summary>A superuser has every permission; anyone else only those given to them or their groups.</summary>
    public bool Has(string permission) => CanEnterAdmin && (IsSuperuser || Permissions.Contains(permission));

    public bool HasAny(params string[] permissions) => permissions.Any(Has);

    /// <summary>What Django lets open a list or a history: view, or change (which implies seeing).</summary>
    public bool CanSee(string model) => HasAny(Stuff.Accounts.Permissions.For(model, Stuff.Accounts.Permissions.View), Stuff.Accounts.Permissions.For(model, Stuff.Accounts.Permissions.Change));
}

/// <summary>
/// Looks up the signed-in user's flags and permissions once per request. The cookie is not
/// trusted for them: a permission taken away, or an account deactivated, counts from the next request.
/// </summary>
public sealed class AdminAccess(AppDbContext db)
{
    private Grant? _grant;

    public async Task<Grant> GetAsync(ClaimsPrincipal principal, CancellationToken cancellationToken = default)
    {
        if (_grant is not null) return _grant;
        var id = principal.FindFirstValue(ClaimTypes.NameIdentifier);
        if (id is null) return _grant = Grant.None;

        var user = await db.Users.AsNoTracking().Where(u => u.Id == id)
            .Select(u => new { u.IsActive, u.IsStaff, u.IsSuperuser })
            .FirstOrDefaultAsync(cancellationToken);
        if (user is null) return _grant = Grant.None;

        var direct = db.UserClaims.Where(c => c.UserId == id && c.ClaimType == Permissions.ClaimType).Select(c => c.ClaimValue);
        var fromGroups = db.RoleClaims
            .Where(c => c.ClaimType == Permissions.ClaimType && db.UserRoles.Any(r => r.UserId == id && r.RoleId == c.RoleId))
            .Select(c => c.ClaimValue);
        var permissions = await direct.Union(fromGroups).ToListAsync(cancellationToken);
        return _grant = new Grant(id, user.IsActive, user.IsStaff, user.IsSuperuser, permissions.OfType<string>().ToHashSet());
    }
}

/// <summary>The admin's door: active staff only.</summary>
public sealed class StaffRequirement : IAuthorizationRequirement
{
    public const string Policy = "Staff";
}

public sealed class StaffHandler(AdminAccess access) : AuthorizationHandler<StaffRequirement>
{
    protected override async Task HandleRequirementAsync(AuthorizationHandlerContext context, StaffRequirement requirement)
    {
        if ((await access.GetAsync(context.User)).CanEnterAdmin) context.Succeed(requirement);
    }
}

/// <summary>Puts a staff claim in the cookie, for showing the Admin link only; every admin request checks the database.</summary>
public sealed class StuffClaimsPrincipalFactory(UserManager<AppUser> users, Microsoft.Extensions.Options.IOptions<IdentityOptions> options)
    : UserClaimsPrincipalFactory<AppUser>(users, options)
{
    public const string StaffClaim = "stuff.staff";

    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(AppUser user)
    {
        var identity = await base.GenerateClaimsAsync(user);
        if (user.IsStaff && user.IsActive) identity.AddClaim(new Claim(StaffClaim, "true"));
        return identity;
    }
}
