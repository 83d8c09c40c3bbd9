using System.Security.Cryptography.X509Certificates;

namespace Stuff.Setup;

/// <summary>The certificate Apache serves: a self-signed one made here, or the one given, copied into place.</summary>
public sealed class TlsStep : Step
{
    public override string Name => "TLS certificate";

    public override IEnumerable<string> Describe(SetupContext context)
    {
        var layout = context.Layout;
        if (context.Settings.Tls == TlsMode.SelfSigned)
            return [$"run openssl req -x509 -newkey rsa:3072 -sha256 -nodes -days 825 -subj /CN={context.Settings.Domain} -addext subjectAltName=DNS:{context.Settings.Domain} -keyout {layout.KeyFile} -out {layout.CertificateFile}   (when missing, expiring within 30 days, or for another name)",
                    $"chmod 0600 {layout.KeyFile}; chmod 0644 {layout.CertificateFile}"];
        return [$"copy {context.Settings.CertificateFile} to {layout.CertificateFile} (root:root 0644)", $"copy {context.Settings.KeyFile} to {layout.KeyFile} (root:root 0600)"];
    }

    public override Task<string?> CheckAsync(SetupContext context, CancellationToken cancellationToken)
    {
        var layout = context.Layout;
        if (!File.Exists(layout.CertificateFile) || !File.Exists(layout.KeyFile)) return Task.FromResult<string?>("no certificate yet");
        if (context.Settings.Tls == TlsMode.Provided)
        {
            var same = File.ReadAllText(context.Settings.CertificateFile!) == File.ReadAllText(layout.CertificateFile)
                && File.ReadAllText(context.Settings.KeyFile!) == File.ReadAllText(layout.KeyFile);
            return Task.FromResult(same ? null : "the given certificate is not the installed one");
        }
        using var certificate = X509Certificate2.CreateFromPemFile(layout.CertificateFile, layout.KeyFile);
        if (certificate.NotAfter < DateTime.Now.AddDays(30)) return Task.FromResult<string?>("the certificate expires within 30 days");
        if (!certificate.MatchesHostname(context.Settings.Domain)) return Task.FromResult<string?>($"the certificate is not for {context.Settings.Domain}");
        return Task.FromResult<string?>(null);
    }

    public override async Task ApplyAsync(SetupContext context, CancellationToken cancellationToken)
    {
        var layout = context.Layout;
        Directory.CreateDirectory(Path.GetDirectoryName(layout.KeyFile)!);
        Directory.CreateDirectory(Path.GetDirectoryName(layout.CertificateFile)!);
        if (context.Settings.Tls == TlsMode.SelfSigned)
        {
            var domain = context.Settings.Domain;
            await context.Shell.MustAsync("openssl",
                ["req", "-x509", "-newkey", "rsa:3072", "-sha256", "-nodes", "-days", "825", "-subj", $"/CN={domain}",
                 "-addext", $"subjectAltName=DNS:{domain}", "-keyout", layout.KeyFile + ".stuff-new", "-out", layout.CertificateFile + ".stuff-new"], cancellationToken);
        }
        else
        {
            using (var check = X509Certificate2.CreateFromPemFile(context.Settings.CertificateFile!, context.Settings.KeyFile!))
            {
                // Loading both proves the key belongs to the certificate before Apache sees them.
            }
            File.Copy(context.Settings.CertificateFile!, layout.CertificateFile + ".stuff-new", overwrite: true);
            File.Copy(context.Settings.KeyFile!, layout.KeyFile + ".stuff-new", overwrite: true);
        }
        File.SetUnixFileMode(layout.KeyFile + ".stuff-new", UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.SetUnixFileMode(layout.CertificateFile + ".stuff-new", (UnixFileMode)0b110_100_100);
        File.Move(layout.KeyFile + ".stuff-new", layout.KeyFile, overwrite: true);
        File.Move(layout.CertificateFile + ".stuff-new", layout.CertificateFile, overwrite: true);
        context.ApacheReloadNeeded = true;
    }
}

/// <summary>
/// SELinux, only where it is enforcing: Apache may connect to the app's port (labelled
/// http_port_t, plus the boolean that allows exactly that) and the file labels are right on the
/// real paths (restorecon does not follow symlinks). Never disables SELinux.
/// </summary>
public sealed class SelinuxStep : Step
{
    public override string Name => "SELinux";

    public static IEnumerable<string[]> Commands(SetupContext context)
    {
        foreach (var port in Ports(context))
            yield return ["semanage", "port", "-a", "-t", "http_port_t", "-p", "tcp", port.ToString(System.Globalization.CultureInfo.InvariantCulture)];
        yield return ["setsebool", "-P", "httpd_graceful_shutdown", "1"];
        foreach (var path in LabelledPaths(context))
            yield return ["restorecon", "-R", path];
    }

    /// <summary>The ports Apache connects to: every instance's, in both slots, and the other app hosts'.</summary>
    private static IEnumerable<int> Ports(SetupContext context) =>
        ReleaseStore.SlotPorts.SelectMany(s => ReleaseStore.Ports(s, context.Settings.Instances))
            .Concat(context.Settings.AppHosts.Select(h => h.Port)).Distinct();

    /// <summary>The canonical paths to relabel: symlinks resolved, as semanage and restorecon need (every release is a real directory under the app root).</summary>
    public static IEnumerable<string> LabelledPaths(SetupContext context) =>
        new[] { context.Layout.AppRoot, context.Layout.StaticRoot, context.Layout.DataDirectory, context.Layout.ConfigDirectory }
            .Select(p => Canonical(p));

    /// <summary>The path with every symlink on the way resolved, links to links included (like realpath).</summary>
    public static string Canonical(string path) => Canonical(path, 0);

    private static string Canonical(string path, int depth)
    {
        var parts = Path.GetFullPath(path).Split('/', StringSplitOptions.RemoveEmptyEntries);
        var current = "/";
        for (var i = 0; i < parts.Length; i++)
        {
            var next = Path.Combine(current, parts[i]);
            // 40 links deep is where the kernel gives up too (ELOOP).
            if (new FileInfo(next).LinkTarget is { } target && depth < 40)
                return Canonical(Path.Combine(Path.GetFullPath(target, current), string.Join('/', parts[(i + 1)..])), depth + 1);
            current = next;
        }
        return current;
    }

    public override IEnumerable<string> Describe(SetupContext context) => context.Facts.SelinuxEnforcing
        ? Commands(context).Select(c => "run " + ShellExtensions.Format(c[0], c[1..]))
        : ["(SELinux is not enforcing here: nothing to do)"];

    public override async Task<string?> CheckAsync(SetupContext context, CancellationToken cancellationToken)
    {
        if (!context.Facts.SelinuxEnforcing) return null;
        var boolean = await context.Shell.RunAsync("getsebool", ["httpd_graceful_shutdown"], cancellationToken);
        if (!SelinuxFacts.BooleanIsOn(boolean.Output, "httpd_graceful_shutdown")) return "httpd_graceful_shutdown is off";
        var ports = await context.Shell.RunAsync("semanage", ["port", "-l", "-C"], cancellationToken);
        if (Ports(context).FirstOrDefault(p => !SelinuxFacts.PortIsHttp(ports.Output, p)) is var port and > 0) return $"port {port} is not labelled http_port_t";
        foreach (var path in LabelledPaths(context))
        {
            var dry = await context.Shell.RunAsync("restorecon", ["-Rn", "-v", path], cancellationToken);
            if (dry.Output.Contains("Would relabel", StringComparison.Ordinal)) return $"{path} has wrong labels";
        }
        return null;
    }

    public override async Task ApplyAsync(SetupContext context, CancellationToken cancellationToken)
    {
        foreach (var command in Commands(context))
        {
            var result = await context.Shell.RunAsync(command[0], command[1..], cancellationToken);
            // "already defined" means an earlier run labelled the port: that is the goal.
            if (!result.Ok && !(command[0] == "semanage" && result.Error.Contains("already defined", StringComparison.Ordinal)))
                throw new StepFailedException($"`{ShellExtensions.Format(command[0], command[1..])}` failed:{Environment.NewLine}{result.Tail()}");
        }
    }
}
