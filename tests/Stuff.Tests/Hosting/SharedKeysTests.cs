using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Stuff.Configuration;
using Stuff.Data;
using Stuff.Tests.Infrastructure;

namespace Stuff.Tests.Hosting;

/// <summary>
/// Two app hosts of one site, each with its own data directory, behind one balancer: with
/// STUFF_KEYS=database a login and a form from one are good on the other (with the keys encrypted
/// in the database when both have the certificate STUFF_KEYS_CERTIFICATE names); with keys on
/// disk (one host's setting) they are not.
/// </summary>
public sealed class SharedKeysTests : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("stuff-hosts-").FullName;
    private TestDatabase _database = null!;

    public async Task InitializeAsync() => _database = await TestDatabase.CreateAsync(DatabaseProvider.Postgres, _root);

    public async Task DisposeAsync()
    {
        await _database.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    private WebApplicationFactory<Program> Host(string name, string keys, string? certificate) =>
        new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseEnvironment("Production");
            b.UseSetting("DATABASE_URL", _database.Url);
            b.UseSetting("STUFF_DATA_DIR", Directory.CreateDirectory(Path.Combine(_root, name)).FullName);
            b.UseSetting("STUFF_KEYS", keys);
            if (certificate is not null) b.UseSetting(KeyRingCertificate.Setting, certificate);
        });

    [Theory]
    [InlineData("database", false, true)]
    [InlineData("database", true, true)]
    [InlineData("files", false, false)]
    public async Task A_login_and_a_form_from_one_host_are_good_on_the_other_only_with_shared_keys(string keys, bool encrypted, bool shared)
    {
        // Both hosts have the same certificate file, as the operator copies it to each.
        var certificate = encrypted ? TestCertificates.WriteKeyRingPem(Path.Combine(_root, "keys.pem")) : null;
        await using var first = Host("first", keys, certificate);
        await using var second = Host("second", keys, certificate);
        await using (var scope = first.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<AppDbContext>().MigrateStuffAsync();
        await using (var scope = first.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<AppUser>>();
            Assert.True((await users.CreateAsync(new AppUser { UserName = "alice", Email = "alice@example.org", DateJoined = DateTime.UtcNow }, SiteFactory.Password)).Succeeded);
        }

        // One cookie jar, as one browser behind a balancer that sends each request anywhere.
        var jar = new CookieContainerHandler();
        using var toFirst = first.CreateDefaultClient(new Uri("https://localhost/"), jar);
        using var toSecond = second.CreateDefaultClient(new Uri("https://localhost/"), new CookieContainerHandler(jar.Container));
        await Forms.AssertRedirectAsync(await Forms.PostAsync(toFirst, "/account/login", [new("Form.Username", "alice"), new("Form.Password", SiteFactory.Password)]));
        var form = await (await toFirst.GetAsync("/account/password")).BodyAsync();

        const string passphrase = "a passphrase changed across hosts";
        var page = await toSecond.GetAsync("/account/password");
        var saved = await toSecond.PostAsync("/account/password", new FormUrlEncodedContent(
            [new("__RequestVerificationToken", Forms.Token(form)), .. Forms.PasswordFields(SiteFactory.Password, passphrase)]));

        bool changed;
        await using (var scope = first.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<AppUser>>();
            changed = await users.CheckPasswordAsync((await users.FindByNameAsync("alice"))!, passphrase);
        }
        if (shared)
        {
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Equal("/", await Forms.AssertRedirectAsync(saved));
            Assert.True(changed, "the password form posted to the other host was not applied");
        }
        else
        {
            Assert.Contains("/account/login", page.Headers.Location?.ToString());
            Assert.False(changed, "a form from one host was accepted by the other without shared keys");
        }

        if (keys != "database") return;
        // In the database the keys are plain key material unless the certificate encrypts them.
        await using var check = first.Services.CreateAsyncScope();
        var ring = await check.ServiceProvider.GetRequiredService<AppDbContext>().DataProtectionKeys.Select(k => k.Xml!).ToListAsync();
        Assert.NotEmpty(ring);
        if (encrypted)
        {
            Assert.All(ring, xml => Assert.Contains("<encryptedSecret", xml));
            Assert.All(ring, xml => Assert.DoesNotContain("unencrypted form", xml));
        }
        else
        {
            Assert.All(ring, xml => Assert.Contains("unencrypted form", xml));
        }
    }
}
