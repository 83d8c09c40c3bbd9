using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Stuff.Data;

namespace Stuff.Accounts;

public static class AccountServiceExtensions
{
    /// <summary>Identity without cookies: what the management commands need to create users and check passwords.</summary>
    public static IdentityBuilder AddStuffAccountsCore(this IServiceCollection services) =>
        services.AddIdentityCore<AppUser>(ConfigureIdentity)
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<AppDbContext>()
            .AddPasswordValidator<PasswordRules>();

    /// <summary>Identity for the site: the core plus sign-in with an application cookie.</summary>
    public static IServiceCollection AddStuffAccounts(this IServiceCollection services)
    {
        services.AddIdentity<AppUser, IdentityRole>(ConfigureIdentity)
            .AddEntityFrameworkStores<AppDbContext>()
            .AddPasswordValidator<PasswordRules>()
            .AddClaimsPrincipalFactory<StuffClaimsPrincipalFactory>()
            .AddDefaultTokenProviders();
        services.AddScoped<IUserConfirmation<AppUser>, ActiveUserConfirmation>();
        services.AddScoped<AdminAccess>();
        services.AddSingleton<LoginThrottle>();
        services.AddScoped<IAuthorizationHandler, StaffHandler>();
        services.AddAuthorizationBuilder()
            .AddPolicy(StaffRequirement.Policy, policy => policy.RequireAuthenticatedUser().AddRequirements(new StaffRequirement()));

        services.ConfigureApplicationCookie(cookie =>
        {
            cookie.LoginPath = "/account/login";
            cookie.LogoutPath = "/account/logout";
            cookie.AccessDeniedPath = "/account/denied";
            cookie.Cookie.Name = "stuff.auth";
            cookie.Cookie.HttpOnly = true;
            cookie.Cookie.SameSite = SameSiteMode.Lax;
            cookie.SlidingExpiration = true;
            cookie.ExpireTimeSpan = TimeSpan.FromDays(14);
            // A signed-in user who may not do something gets a real 403 (and the status page
            // says so), not a redirect that looks like success to a script.
            cookie.Events.OnRedirectToAccessDenied = context =>
            {
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                return Task.CompletedTask;
            };
        });
        services.AddOptions<Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationOptions>(IdentityConstants.ApplicationScheme)
            .Configure<Microsoft.Extensions.Options.IOptions<Configuration.StuffOptions>>((cookie, stuff) =>
            {
                if (!stuff.Value.HostPrefixedCookies) return;
                cookie.Cookie.Name = stuff.Value.CookieName("stuff.auth");
                cookie.Cookie.SecurePolicy = CookieSecurePolicy.Always;
                cookie.Cookie.Path = "/";
            });
        return services;
    }

    private static void ConfigureIdentity(IdentityOptions options)
    {
        // Length and the list of common passwords protect; composition rules only annoy (ASVS 2.1.9).
        options.Password.RequiredLength = PasswordRules.MinLength;
        options.Password.RequireDigit = false;
        options.Password.RequireLowercase = false;
        options.Password.RequireUppercase = false;
        options.Password.RequireNonAlphanumeric = false;
        options.Password.RequiredUniqueChars = 1;
        options.User.RequireUniqueEmail = false;
        options.User.AllowedUserNameCharacters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._@+";
        options.SignIn.RequireConfirmedAccount = true;
        options.Lockout.AllowedForNewUsers = true;
        options.Lockout.MaxFailedAccessAttempts = 5;
        options.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
    }

    /// <summary>"Confirmed" means "active": a deactivated account cannot sign in.</summary>
    private sealed class ActiveUserConfirmation : IUserConfirmation<AppUser>
    {
        public Task<bool> IsConfirmedAsync(UserManager<AppUser> manager, AppUser user) => Task.FromResult(user.IsActive);
    }
}
