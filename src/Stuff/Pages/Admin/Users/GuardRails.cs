using Microsoft.EntityFrameworkCore;
using Stuff.Accounts;
using Stuff.Data;

namespace Stuff.Pages.Admin.Users;

/// <summary>
/// What no change to a user may do, whatever the form says: lock out the person making it,
/// leave the site without an active superuser, or let a non-superuser reach superuser powers.
/// </summary>
public static class GuardRails
{
    public const string OnlySuperusersTouchSuperusers = "Only a superuser can change or delete a superuser's account.";
    public const string OnlySuperusersGrantSuperuser = "Only a superuser can give or take away superuser status.";
    public const string NotYourself = "You cannot delete your own account.";
    public const string NotDemoteYourself = "You cannot deactivate yourself or take away your own staff or superuser status. Ask another superuser.";

    public static string LastSuperuser(string? name) =>
        $"“{name}” is the last active superuser: the site would have nobody who can do everything. Make someone else a superuser first.";

    /// <summary>The reason the change may not be made, or null. <paramref name="deleting"/> ignores the flags.</summary>
    public static async Task<string?> CheckAsync(AppDbContext db, Grant actor, AppUser target, bool active, bool staff, bool superuser, bool deleting, CancellationToken cancellationToken)
    {
        if (!actor.IsSuperuser && target.IsSuperuser) return OnlySuperusersTouchSuperusers;
        if (!actor.IsSuperuser && superuser != target.IsSuperuser) return OnlySuperusersGrantSuperuser;

        var demoted = deleting || !active || (target.IsSuperuser && !superuser);
        if (target.IsActive && target.IsSuperuser && demoted
            && !await db.Users.AnyAsync(u => u.Id != target.Id && u.IsActive && u.IsSuperuser, cancellationToken))
            return LastSuperuser(target.UserName);
        if (target.Id == actor.UserId)
        {
            if (deleting) return NotYourself;
            if (demoted || !staff) return NotDemoteYourself;
        }
        return null;
    }

    /// <summary>Only superusers may open a superuser's forms; anyone else is told why instead of getting a form they cannot save.</summary>
    public static bool MayTouch(Grant actor, AppUser target) => actor.IsSuperuser || !target.IsSuperuser;
}
