using System.Globalization;
using System.Reflection;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Configuration;
using Stuff.Configuration;
using Stuff.Tests.Infrastructure;

namespace Stuff.Tests.Deploy;

/// <summary>
/// deploy/kubernetes/*.yaml read as the Kubernetes API reads them (its own models, from the
/// KubernetesClient package, strictly: an unknown or misplaced field is an error) and held to
/// rules a cluster enforces or an operator expects: the "restricted" Pod Security standard, a
/// numeric non-root user, resources and probes for every container, a migration Job per release,
/// no secret in an applied file; and to the app and the image: the settings it reads, its port,
/// health endpoints, version and user.
/// </summary>
public sealed class KubernetesManifestTests
{
    private static readonly string Folder = Path.Combine(Repository.Root, "deploy", "kubernetes");
    private static readonly string Containerfile = Path.Combine(Repository.Root, "deploy", "Containerfile");

    private static List<object> Load(string file) => KubernetesYaml.LoadAllFromString(File.ReadAllText(Path.Combine(Folder, file)), strict: true);

    /// <summary>What `kubectl apply -f stuff.yaml` applies.</summary>
    private static readonly List<object> Applied = Load("stuff.yaml");

    /// <summary>What `kubectl create -f migrate.yaml` creates for each release.</summary>
    private static readonly V1Job Migrate = Load("migrate.yaml").OfType<V1Job>().Single();

    private static T One<T>() => Assert.Single(Applied.OfType<T>());

    private static V1Deployment Deployment => One<V1Deployment>();

    private static V1Container App => Assert.Single(Deployment.Spec.Template.Spec.Containers);

    private static V1Container MigrateContainer => Assert.Single(Migrate.Spec.Template.Spec.Containers);

    private static IDictionary<string, string> Settings => One<V1ConfigMap>().Data;

    private static IEnumerable<(string What, V1PodSpec Spec)> PodSpecs =>
        [("the Deployment", Deployment.Spec.Template.Spec), ("the migration Job", Migrate.Spec.Template.Spec)];

    private static IEnumerable<string> ContainerfileLines =>
        File.ReadAllLines(Containerfile).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#'));

    [Fact]
    public void Every_object_is_one_the_kubernetes_api_knows_and_a_misspelled_field_would_be_refused()
    {
        foreach (var file in Directory.GetFiles(Folder, "*.yaml"))
        {
            var objects = Load(Path.GetFileName(file));
            Assert.NotEmpty(objects);
            foreach (var item in objects)
            {
                // Read into the API's own type for its apiVersion and kind, or it would be a plain object.
                var known = Assert.IsAssignableFrom<IKubernetesObject<V1ObjectMeta>>(item);
                var entity = item.GetType().GetCustomAttribute<KubernetesEntityAttribute>()!;
                Assert.Equal(entity.Kind, known.Kind);
                if (known is not V1Namespace) Assert.Equal("stuff", known.Metadata.NamespaceProperty);
            }
        }
        Assert.Equal(["Namespace", "ConfigMap", "Deployment", "PodDisruptionBudget", "Service", "Ingress"], Applied.Cast<IKubernetesObject>().Select(o => o.Kind));

        // The strictness the checks above rely on: a field the API does not have is an error.
        var text = File.ReadAllText(Path.Combine(Folder, "stuff.yaml"));
        Assert.ThrowsAny<Exception>(() => KubernetesYaml.LoadAllFromString(text.Replace("readinessProbe:", "readynessProbe:"), strict: true));
    }

    [Fact]
    public void Every_setting_named_is_one_the_app_reads_and_no_secret_is_in_a_file_that_is_applied()
    {
        var known = new HashSet<string>
        {
            "ASPNETCORE_ENVIRONMENT", "AllowedHosts",
        };
        known.UnionWith(typeof(StuffOptions).GetProperties().Select(p => p.GetCustomAttribute<ConfigurationKeyNameAttribute>()?.Name).OfType<string>());

        Assert.DoesNotContain(Settings.Keys, k => !known.Contains(k));
        // As a pod sees them: the key ring's certificate is a file there (the mounted Secret).
        var certificate = TestCertificates.WriteKeyRingPem(Path.Combine(Path.GetTempPath(), $"keys-{Guid.NewGuid():N}.pem"));
        try
        {
            var pod = Settings.ToDictionary(s => s.Key, s => s.Key == KeyRingCertificate.Setting ? certificate : s.Value);
            var options = new ConfigurationBuilder().AddInMemoryCollection(pod.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))).Build().Get<StuffOptions>()!;
            Assert.Empty(options.Problems());
            Assert.True(options.KeysInDatabase);
        }
        finally
        {
            File.Delete(certificate);
        }

        // The secret settings come from a Secret made from the operator's env file, never from here.
        foreach (var file in Directory.GetFiles(Folder, "*.yaml"))
            Assert.Empty(Load(Path.GetFileName(file)).OfType<V1Secret>());
        Assert.DoesNotContain("DATABASE_URL", Settings.Keys);
        foreach (var container in new[] { App, MigrateContainer })
            Assert.Equal(["stuff-settings", "stuff-secrets"], container.EnvFrom.Select(e => e.ConfigMapRef?.Name ?? e.SecretRef?.Name));
        var readme = File.ReadAllText(Path.Combine(Repository.Root, "README.md"));
        Assert.Contains("kubectl -n stuff create secret generic stuff-secrets --from-env-file=", readme);
        Assert.Contains("kubectl -n stuff create secret generic stuff-keys --from-file=keys.pem", readme);
    }

    [Fact]
    public void Every_pod_meets_the_restricted_pod_security_standard_and_its_namespace_enforces_it()
    {
        Assert.Equal("restricted", One<V1Namespace>().Metadata.Labels["pod-security.kubernetes.io/enforce"]);
        foreach (var (what, spec) in PodSpecs)
            Assert.True(PodSecurity.Restricted(spec).Count == 0, $"{what}: {string.Join("; ", PodSecurity.Restricted(spec))}");

        // The rules can fail: the same pod with the usual slips is refused for each of them.
        var slipped = KubernetesYaml.Deserialize<V1Deployment>(KubernetesYaml.Serialize(Deployment)).Spec.Template.Spec;
        slipped.SecurityContext.SeccompProfile = null;
        slipped.Containers[0].SecurityContext.Capabilities = null;
        slipped.Containers[0].SecurityContext.AllowPrivilegeEscalation = null;
        slipped.SecurityContext.RunAsUser = 0;
        Assert.Equal(4, PodSecurity.Restricted(slipped).Count);
    }

    [Fact]
    public void Run_as_non_root_comes_with_a_numeric_user_the_image_has()
    {
        var user = Assert.Single(ContainerfileLines, l => l.StartsWith("USER ", StringComparison.Ordinal))["USER ".Length..];
        Assert.True(int.TryParse(user, CultureInfo.InvariantCulture, out var uid) && uid > 0, $"the image's USER must be a number, not {user}");
        foreach (var (what, spec) in PodSpecs)
        {
            // The kubelet refuses runAsNonRoot with a user it cannot see is not root.
            Assert.True(spec.SecurityContext.RunAsNonRoot, what);
            Assert.Equal(uid, spec.SecurityContext.RunAsUser);
            Assert.Equal(uid, spec.SecurityContext.RunAsGroup);
            Assert.Equal(uid, spec.SecurityContext.FsGroup);
        }
    }

    [Fact]
    public void Every_container_has_resources_a_read_only_root_and_the_writable_paths_the_app_needs()
    {
        var dataDirectory = Assert.Single(ContainerfileLines, l => l.Contains("STUFF_DATA_DIR=", StringComparison.Ordinal))
            .Split("STUFF_DATA_DIR=")[1].Split(' ')[0];
        foreach (var (what, spec) in PodSpecs)
        {
            foreach (var container in spec.Containers)
            {
                Assert.True(container.Resources.Requests.ContainsKey("cpu") && container.Resources.Requests.ContainsKey("memory"), $"{what}: requests");
                Assert.True(container.Resources.Limits.ContainsKey("memory"), $"{what}: a memory limit");
                Assert.True(container.Resources.Limits["memory"].ToInt64() >= container.Resources.Requests["memory"].ToInt64(), what);
                Assert.True(container.SecurityContext.ReadOnlyRootFilesystem, what);
                var mounts = container.VolumeMounts.ToDictionary(m => m.MountPath, m => m.Name);
                foreach (var path in new[] { "/tmp", dataDirectory })
                    Assert.NotNull(Assert.Single(spec.Volumes, v => v.Name == mounts[path]).EmptyDir);

                // The key ring's certificate, where the settings say: the Secret, read-only, required.
                var certificate = Settings["STUFF_KEYS_CERTIFICATE"];
                var keys = Assert.Single(container.VolumeMounts, m => certificate.StartsWith(m.MountPath + "/", StringComparison.Ordinal));
                Assert.True(keys.ReadOnlyProperty, what);
                var secret = Assert.Single(spec.Volumes, v => v.Name == keys.Name).Secret;
                Assert.Equal("stuff-keys", secret.SecretName);
                Assert.False(secret.Optional);
                Assert.Equal(Convert.ToInt32("440", 8), secret.DefaultMode);
            }
            Assert.False(spec.AutomountServiceAccountToken, $"{what} never talks to the Kubernetes API");
        }
    }

    [Fact]
    public void The_probes_ask_the_health_endpoints_under_the_base_path_with_time_to_answer()
    {
        var port = App.Ports.Single().ContainerPort;
        var basePath = Settings["STUFF_BASE_PATH"];

        Assert.Equal(["serve", "--urls", $"http://0.0.0.0:{port}"], App.Args);
        Assert.Equal($"{basePath}/healthz", App.StartupProbe.HttpGet.Path);
        Assert.Equal($"{basePath}/readyz", App.ReadinessProbe.HttpGet.Path);
        Assert.Equal($"{basePath}/healthz", App.LivenessProbe.HttpGet.Path);
        foreach (var probe in new[] { App.StartupProbe, App.ReadinessProbe, App.LivenessProbe })
        {
            Assert.Equal(port.ToString(CultureInfo.InvariantCulture), probe.HttpGet.Port.Value);
            Assert.NotNull(probe.TimeoutSeconds);
        }
        // /readyz asks the database: more than the default second.
        Assert.True(App.ReadinessProbe.TimeoutSeconds >= 3);
        // The app gets a minute to start before liveness could restart it.
        Assert.True(App.StartupProbe.PeriodSeconds * App.StartupProbe.FailureThreshold >= 60);

        var service = One<V1Service>();
        Assert.Equal(port.ToString(CultureInfo.InvariantCulture), service.Spec.Ports.Single().TargetPort.Value);
        Assert.Equal(Deployment.Spec.Template.Metadata.Labels, service.Spec.Selector);
        var ingress = One<V1Ingress>();
        Assert.False(string.IsNullOrEmpty(ingress.Spec.IngressClassName));
        var rule = ingress.Spec.Rules.Single();
        Assert.Equal(Settings["STUFF_DOMAIN"], rule.Host);
        var path = rule.Http.Paths.Single();
        Assert.Equal(basePath, path.Path);
        Assert.Equal(service.Metadata.Name, path.Backend.Service.Name);
        Assert.Equal(service.Spec.Ports.Single().Port, path.Backend.Service.Port.Number);
    }

    [Fact]
    public void Replicas_share_their_keys_spread_over_nodes_and_stop_without_dropping_a_request()
    {
        var spec = Deployment.Spec;
        var pods = spec.Template.Metadata.Labels;

        Assert.True(spec.Replicas > 1);
        Assert.Equal("database", Settings["STUFF_KEYS"]);
        Assert.Equal("0", spec.Strategy.RollingUpdate.MaxUnavailable.Value);
        var budget = One<V1PodDisruptionBudget>();
        Assert.Equal(budget.Spec.Selector.MatchLabels, pods);
        Assert.True(int.Parse(budget.Spec.MaxUnavailable.Value, CultureInfo.InvariantCulture) < spec.Replicas);
        var spread = spec.Template.Spec.TopologySpreadConstraints.Single(t => t.TopologyKey == "kubernetes.io/hostname");
        Assert.Equal(spread.LabelSelector.MatchLabels, pods);

        // The pause before SIGTERM, then the app's own 30 s shutdown, inside the grace period.
        var pause = App.Lifecycle.PreStop.Sleep.Seconds;
        Assert.True(pause >= 5);
        Assert.True(spec.Template.Spec.TerminationGracePeriodSeconds > pause + 30);
    }

    [Fact]
    public void Each_release_migrates_in_a_job_of_its_own_with_the_apps_image_and_settings()
    {
        // A Job's template cannot change: a generated name makes a new Job every time.
        Assert.Null(Migrate.Metadata.Name);
        Assert.Equal("stuff-migrate-", Migrate.Metadata.GenerateName);
        Assert.NotNull(Migrate.Spec.ActiveDeadlineSeconds);
        Assert.NotNull(Migrate.Spec.TtlSecondsAfterFinished);
        Assert.Equal("Never", Migrate.Spec.Template.Spec.RestartPolicy);
        Assert.Equal(["migrate"], MigrateContainer.Args);
        Assert.Equal(App.Image, MigrateContainer.Image);
        Assert.Equal(KubernetesYaml.Serialize(App.EnvFrom), KubernetesYaml.Serialize(MigrateContainer.EnvFrom));
    }

    [Fact]
    public void The_image_is_the_release_by_its_version_unprivileged_on_the_port_the_manifests_expect()
    {
        var lines = ContainerfileLines.ToList();
        var port = App.Ports.Single().ContainerPort;

        // The release's version, which tags the image.
        Assert.EndsWith($"/stuff:{Stuff.Hosting.AppInfo.Version}", App.Image);
        Assert.Contains($"EXPOSE {port}", lines);
        Assert.Contains("ENTRYPOINT [\"/app/stuff\"]", lines);
        Assert.Contains($"CMD [\"serve\", \"--urls\", \"http://0.0.0.0:{port}\"]", lines);
        Assert.Contains(lines, l => l.StartsWith("HEALTHCHECK ", StringComparison.Ordinal) && l.Contains($"[\"/app/stuff\", \"healthcheck\", \"--port\", \"{port}\"]", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("org.opencontainers.image.version=\"${VERSION}\"", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("org.opencontainers.image.revision=\"${REVISION}\"", StringComparison.Ordinal));
        // The one command that builds it tags it with the version.
        var script = File.ReadAllText(Path.Combine(Repository.Root, "deploy", "build-image.sh"));
        Assert.Contains("--tag \"$name:$version\"", script);
        Assert.Contains("--build-arg \"VERSION=$version\"", script);
    }
}
