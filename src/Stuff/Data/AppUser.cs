using Microsoft.AspNetCore.Identity;

namespace Stuff.Data;

/// <summary>An account. Staff and superuser mean what they mean in Django's admin.</summary>
public sealed class AppUser : IdentityUser
{
    public string? FirstName { get; set; }
    public string? LastName { get; set; }
    public bool IsActive { get; set; } = true;
    public bool IsStaff { get; set; }
    public bool IsSuperuser { get; set; }
    public DateTime DateJoined { get; set; }
    public DateTime? LastLogin { get; set; }
}
