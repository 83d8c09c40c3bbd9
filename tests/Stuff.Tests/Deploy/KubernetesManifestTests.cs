using System.Reflection;
using Microsoft.Extensions.Configuration;
using Stuff.Configuration;
using Stuff.Tests.Infrastructure;
using YamlDotNet.RepresentationModel;

namespace Stuff.Tests.Deploy;

/// <summary>
/// deploy/kubernetes/stuff.yaml and deploy/Containerfile, read as Kubernetes and a container
/// engine would read them, agree with the app: the settings they name exist, the probes ask the
/// health endpoints under the base path on the port the app listens on, several replicas share
/// their keys, migrations are a Job, and no real secret is in the repository.
/// </summary>
public sealed class KubernetesManifestTests
{
    private static readonly string Manifest = Path.Combine(Repository.Root, "deploy", "kubernetes", "stuff.yaml");
    private static readonly string Containerfile = Path.Combine(Repository.Root, "deploy", "Containerfile");

    private static readonly List<YamlMappingNode> Documents = Load();

    private static List<YamlMappingNode> Load()
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(Manifest);
        stream.Load(reader);
        return [.. stream.Documents.Select(d => (YamlMappingNode)d.RootNode)];
    }

    private static YamlMappingNode Kind(string kind) => Assert.Single(Documents, d => Text(d, "kind") == kind);

    private static YamlNode Node(YamlNode node, params string[] path)
    {
        foreach (var key in path)
        {
            node = node switch
            {
                YamlMappingNode map => map.Children[new YamlScalarNode(key)],
                YamlSequenceNode list => list.Children[int.Parse(key, System.Globalization.CultureInfo.InvariantCulture)],
                _ => throw new KeyNotFoundException(key),
            };
        }
        return node;
    }

    private static string Text(YamlNode node, params string[] path) => ((YamlScalarNode)Node(node, path)).Value!;

    private static Dictionary<string, string> Map(YamlNode node) =>
        ((YamlMappingNode)node).Children.ToDictionary(c => ((YamlScalarNode)c.Key).Value!, c => ((YamlScalarNode)c.Value).Value!);

    private static YamlMappingNode Container(string kind) => (YamlMappingNode)Node(Kind(kind), "spec", "template", "spec", "containers", "0");

    private static Dictionary<string, string> Settings => Map(Node(Kind("ConfigMap"), "data"));

    /// <summary>Every top-level setting the app reads, by the name it has in the environment.</summary>
    private static HashSet<string> KnownSettings() =>
    [
        .. typeof(StuffOptions).GetProperties().Select(p => p.GetCustomAttribute<ConfigurationKeyNameAttribute>()?.Name).OfType<string>(),
        "ASPNETCORE_ENVIRONMENT", "AllowedHosts",
    ];

    [Fact]
    public void Every_setting_and_secret_named_is_one_the_app_reads()
    {
        var known = KnownSettings();
        var named = Settings.Keys.Concat(Map(Node(Kind("Secret"), "stringData")).Keys).ToList();

        Assert.DoesNotContain(named, n => !known.Contains(n));
        Assert.Contains("DATABASE_URL", named);
        var options = new ConfigurationBuilder().AddInMemoryCollection(Settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))).Build().Get<StuffOptions>()!;
        Assert.Empty(options.Problems());
    }

    [Fact]
    public void The_probes_ask_the_health_endpoints_under_the_base_path_on_the_port_the_app_listens_on()
    {
        var container = Container("Deployment");
        var port = Text(container, "ports", "0", "containerPort");
        var basePath = Settings["STUFF_BASE_PATH"];

        Assert.Equal(["serve", "--urls", $"http://0.0.0.0:{port}"], ((YamlSequenceNode)Node(container, "args")).Select(a => ((YamlScalarNode)a).Value));
        Assert.Equal($"{basePath}/readyz", Text(container, "readinessProbe", "httpGet", "path"));
        Assert.Equal($"{basePath}/healthz", Text(container, "livenessProbe", "httpGet", "path"));
        Assert.Equal(port, Text(container, "readinessProbe", "httpGet", "port"));
        Assert.Equal(port, Text(container, "livenessProbe", "httpGet", "port"));
        Assert.Equal(port, Text(Kind("Service"), "spec", "ports", "0", "targetPort"));

        var ingress = (YamlMappingNode)Node(Kind("Ingress"), "spec", "rules", "0", "http", "paths", "0");
        Assert.Equal(basePath, Text(ingress, "path"));
        Assert.Equal(Text(Kind("Service"), "metadata", "name"), Text(ingress, "backend", "service", "name"));
        Assert.Equal(Text(Kind("Service"), "spec", "ports", "0", "port"), Text(ingress, "backend", "service", "port", "number"));
        Assert.Equal(Settings["STUFF_DOMAIN"], Text(Kind("Ingress"), "spec", "rules", "0", "host"));
    }

    [Fact]
    public void Several_replicas_share_their_keys_and_outwait_the_apps_shutdown()
    {
        var deployment = Kind("Deployment");

        Assert.True(int.Parse(Text(deployment, "spec", "replicas"), System.Globalization.CultureInfo.InvariantCulture) > 1);
        Assert.Equal("database", Settings["STUFF_KEYS"]);
        Assert.True(int.Parse(Text(deployment, "spec", "template", "spec", "terminationGracePeriodSeconds"), System.Globalization.CultureInfo.InvariantCulture) > 30,
            "the grace period must outlast the host's 30 s shutdown timeout");
        Assert.Equal("0", Text(deployment, "spec", "strategy", "rollingUpdate", "maxUnavailable"));
        Assert.Equal("true", Text(deployment, "spec", "template", "spec", "securityContext", "runAsNonRoot"));
    }

    [Fact]
    public void Migrations_run_as_a_job_of_the_same_image_with_the_same_settings()
    {
        var job = Container("Job");
        var app = Container("Deployment");

        Assert.Equal(["migrate"], ((YamlSequenceNode)Node(job, "args")).Select(a => ((YamlScalarNode)a).Value));
        Assert.Equal(Text(app, "image"), Text(job, "image"));
        Assert.Equal(Node(app, "envFrom").ToString(), Node(job, "envFrom").ToString());
    }

    [Fact]
    public void The_secret_in_the_repository_is_a_placeholder()
    {
        var url = new Uri(Map(Node(Kind("Secret"), "stringData"))["DATABASE_URL"]);

        Assert.Equal("stuff:CHANGE-ME", url.UserInfo);
        Assert.Contains("sslmode=require", url.Query);
    }

    [Fact]
    public void The_image_runs_the_release_unprivileged_on_the_port_the_manifests_expect()
    {
        var lines = File.ReadAllLines(Containerfile).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        var port = Text(Container("Deployment"), "ports", "0", "containerPort");

        Assert.Contains($"EXPOSE {port}", lines);
        Assert.Contains("USER app", lines);
        Assert.Contains("ENTRYPOINT [\"/app/stuff\"]", lines);
        Assert.Contains($"CMD [\"serve\", \"--urls\", \"http://0.0.0.0:{port}\"]", lines);
        Assert.Contains(lines, l => l.StartsWith("RUN dotnet publish src/Stuff -c Release -r linux-x64", StringComparison.Ordinal));
        // What the image mounts writable is what the Deployment mounts.
        Assert.Contains(lines, l => l.Contains("STUFF_DATA_DIR=/var/lib/stuff", StringComparison.Ordinal));
        Assert.Equal("/var/lib/stuff", Text(Container("Deployment"), "volumeMounts", "0", "mountPath"));
    }
}
