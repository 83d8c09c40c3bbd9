using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;
using Stuff.Accounts;
using Stuff.Configuration;
using Stuff.Data;
using Stuff.Health;

namespace Stuff.Hosting;

/// <summary>Builds the site: configuration, services and the request pipeline. The CLI commands share the same builder.</summary>
public static class StuffHost
{
    /// <summary>The cookie that carries one-time messages across the redirect after a save.</summary>
    public const string MessageCookie = "stuff.message";

    /// <summary>
    /// The largest request body the site reads. Its forms are a few kilobytes; anything near this
    /// is an attack or a mistake and gets 413 before the app spends memory on it.
    /// </summary>
    public const long MaxRequestBodyBytes = 1024 * 1024;

    /// <summary>
    /// The site's services without its web server, for a management command: no file watchers
    /// (a command ends long before a settings file could change), and without <paramref name="verbose"/>
    /// no framework log lines, which would only bury the one line that matters.
    /// </summary>
    public static WebApplication BuildForCommand(bool verbose, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var builder = CreateBuilder(["--hostBuilder:reloadConfigOnChange=false"], environment);
        if (!verbose) builder.Logging.ClearProviders();
        return builder.Build();
    }

    /// <summary>Creates a builder with every configuration source and service of the site.</summary>
    /// <param name="args">Host arguments (--urls, --environment ...).</param>
    /// <param name="environment">Environment variables that replace the process's (a command run inside the tests' process); null removes one.</param>
    /// <exception cref="UserFacingException">The env file is missing, unsafe or malformed.</exception>
    public static WebApplicationBuilder CreateBuilder(string[] args, IReadOnlyDictionary<string, string?>? environment = null)
    {
        environment ??= new Dictionary<string, string?>();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            // A published executable is started from anywhere (systemd, a shell); its files sit next to it.
            ContentRootPath = HasExplicitContentRoot(args) ? null : AppContext.BaseDirectory,
            EnvironmentName = environment.GetValueOrDefault("ASPNETCORE_ENVIRONMENT"),
        });
        if (environment.Count > 0) builder.Configuration.AddInMemoryCollection(environment);
        builder.Configuration.AddStuffEnvFile();

        builder.WebHost.UseStaticWebAssets();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = MaxRequestBodyBytes;
        });
        builder.Services.Configure<Microsoft.AspNetCore.Http.Features.FormOptions>(form =>
        {
            form.ValueLengthLimit = (int)MaxRequestBodyBytes;
            form.MultipartBodyLengthLimit = MaxRequestBodyBytes;
        });
        builder.Host.UseSystemd();

        builder.Services.AddSiteHostFiltering();

        builder.Services.AddOptions<StuffOptions>().BindConfiguration("").ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<StuffOptions>, StuffOptions.Validation>();
        builder.Services.AddStuffData();
        builder.Services.AddStuffAccounts();
        builder.Services.AddStuffHealthChecks();
        builder.Services.AddRazorPages(pages =>
        {
            //#if (sample)
            pages.Conventions.AuthorizeFolder("/Stuff");
            pages.Conventions.AllowAnonymousToPage("/Stuff/Index");
            //#endif
            pages.Conventions.AuthorizePage("/Account/ChangePassword");
            // Each admin page also checks the model permission its handler needs.
            pages.Conventions.AuthorizeFolder("/Admin", StaffRequirement.Policy);
        }).AddMvcOptions(mvc =>
        {
            mvc.Filters.Add(new HandlerlessRequests());
            var messages = mvc.ModelBindingMessageProvider;
            messages.SetValueMustNotBeNullAccessor(_ => "This field is required.");
            messages.SetAttemptedValueIsInvalidAccessor((value, _) => $"'{value}' is not a valid value.");
            messages.SetValueMustBeANumberAccessor(_ => "Enter a whole number.");
        });
        // Cookies are Secure whenever the request is HTTPS, which behind the proxy is every request it forwards.
        builder.Services.AddOptions<Microsoft.AspNetCore.Mvc.CookieTempDataProviderOptions>().Configure<IOptions<StuffOptions>>((o, stuff) =>
        {
            o.Cookie.Name = stuff.Value.CookieName(MessageCookie);
            o.Cookie.SecurePolicy = stuff.Value.HostPrefixedCookies ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
        });
        builder.Services.AddAntiforgery();
        builder.Services.AddOptions<Microsoft.AspNetCore.Antiforgery.AntiforgeryOptions>().Configure<IOptions<StuffOptions>>((o, stuff) =>
        {
            if (stuff.Value.HostPrefixedCookies) o.Cookie.Name = stuff.Value.CookieName("stuff.antiforgery");
            o.Cookie.SecurePolicy = stuff.Value.HostPrefixedCookies ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
        });
        var dataProtection = builder.Services.AddDataProtection().SetApplicationName("stuff");
        // One host keeps its keys in its data directory; several hosts behind a balancer share
        // them through the database, so a cookie or form from one is good on the others.
        builder.Services.AddOptions<KeyManagementOptions>().Configure<IOptions<StuffOptions>, ILoggerFactory, IServiceProvider>((keys, stuff, logging, services) =>
            keys.XmlRepository = stuff.Value.KeysInDatabase
                ? new EntityFrameworkCoreXmlRepository<AppDbContext>(services, logging)
                : new FileSystemXmlRepository(KeyDirectory(stuff.Value), logging));
        // With a certificate (STUFF_KEYS_CERTIFICATE) new keys are encrypted with it at rest, and
        // keys it encrypted are read with it. A file that is not one is a settings problem the
        // start-up validation names.
        if (new StuffOptions { KeysCertificate = builder.Configuration[KeyRingCertificate.Setting] }.KeysCertificatePath is { } keysCertificate
            && KeyRingCertificate.TryLoad(keysCertificate, out var certificate, out _))
            dataProtection.ProtectKeysWithCertificate(certificate!).UnprotectKeysWithAnyCertificate(certificate!);
        // Linux has no DPAPI: without a certificate the keys are protected by their directory's mode
        // (0700, the service user's own), which the framework cannot see, so its warning about
        // that says nothing new; in the database the doctor and `stuff check --deploy` say it.
        builder.Logging.AddFilter("Microsoft.AspNetCore.DataProtection.KeyManagement.XmlKeyManager", LogLevel.Error);
        builder.Services.AddHsts(hsts =>
        {
            // The same policy as the Apache site that `stuff setup` writes: two years, subdomains too.
            hsts.MaxAge = SecurityHeaders.StrictTransportSecurityMaxAge;
            hsts.IncludeSubDomains = true;
        });
        builder.Services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<StuffOptions>>((forwarded, stuff) =>
        {
            // The loopback proxy (Apache on the same host) is trusted, as KnownProxies has it by
            // default; an Ingress or balancer elsewhere only when STUFF_TRUSTED_PROXIES names it.
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            foreach (var network in stuff.Value.TrustedProxyNetworks ?? []) forwarded.KnownIPNetworks.Add(network);
        });
        return builder;
    }

    /// <summary>Adds the middleware and endpoints.</summary>
    public static WebApplication BuildSite(this WebApplicationBuilder builder)
    {
        var app = builder.Build();
        var basePath = app.Services.GetRequiredService<IOptions<StuffOptions>>().Value.NormalizedBasePath;

        app.UseWhen(context => !HealthEndpoints.IsProbe(context.Request.Path, basePath), site => site.UseSiteHostFiltering());
        app.UseForwardedHeaders();
        app.UseSecurityHeaders();
        if (basePath.Length > 0)
        {
            app.UsePathBase(basePath);
            // Behind the proxy only the base path is the site; anything else is not ours to answer.
            app.Use((context, next) =>
            {
                if (context.Request.PathBase.HasValue) return next(context);
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            });
        }

        if (app.Environment.IsDevelopment())
        {
            app.UseDeveloperExceptionPage();
        }
        else
        {
            app.UseExceptionHandler("/error");
            // Only on HTTPS requests: behind the proxy, those it forwarded with X-Forwarded-Proto: https.
            app.UseHsts();
        }
        app.UseStatusCodePagesWithReExecute("/status/{0}");
        // A body over the limit is refused before anything reads it (Kestrel would only stop the
        // read half-way, which the form reader reports as a bad request), with the site's page.
        app.Use((context, next) =>
        {
            if (context.Request.ContentLength is not > MaxRequestBodyBytes || context.Features.Get<IStatusCodeReExecuteFeature>() is not null) return next(context);
            context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            return Task.CompletedTask;
        });

        app.UseRouting();
        app.UseAuthentication();
        app.UseAuthorization();

        app.MapStaticAssets();
        app.MapRazorPages().WithStaticAssets();
        app.MapStuffHealthChecks();
        return app;
    }

    /// <summary>The data-protection key ring's directory, created readable by its owner only.</summary>
    private static DirectoryInfo KeyDirectory(StuffOptions options)
    {
        var path = Path.Combine(options.ResolvedDataDirectory, "keys");
        if (!Directory.Exists(path))
        {
            if (OperatingSystem.IsWindows()) Directory.CreateDirectory(path);
            else Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        return new DirectoryInfo(path);
    }

    private static bool HasExplicitContentRoot(string[] args) =>
        Environment.GetEnvironmentVariable("ASPNETCORE_CONTENTROOT") is { Length: > 0 }
        || args.Any(a => a.StartsWith("--contentRoot", StringComparison.OrdinalIgnoreCase));
}
