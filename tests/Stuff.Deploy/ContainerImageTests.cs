using System.Net;
using System.Text;
using System.Text.Json;
using k8s;
using k8s.Models;
using Stuff.Configuration;
using Stuff.Deploy.Machines;

namespace Stuff.Deploy;

/// <summary>
/// The container image, built by deploy/build-image.sh from the published release (on a
/// stand-in for Microsoft's runtime-deps base: the disposable servers' Debian with the user app,
/// 1654), and run the way deploy/kubernetes runs it: `podman kube play` of the migration Job's
/// pod and then of two replicas of the Deployment's pod, from the manifests' own templates
/// (user, read-only root, dropped capabilities, seccomp, the ConfigMap's settings and the
/// Secrets'), against a real PostgreSQL; where podman 4.3 is not a cluster, the test says so
/// where it works around it. Checked through the probes' own paths, the list page,
/// the image's HEALTHCHECK, and a login that one replica starts and the other finishes.
/// </summary>
[Collection(SecondLane.Name)]
[Trait(TestCategory.Name, TestCategory.Deploy)]
public sealed class ContainerImageTests
{
    private const string Password = "a container's long passphrase";
    private static readonly string Kubernetes = Path.Combine(Repository.Root, "deploy", "kubernetes");

    private static List<object> Manifest(string file) => KubernetesYaml.LoadAllFromString(File.ReadAllText(Path.Combine(Kubernetes, file)), strict: true);

    /// <summary>A pod of the manifest's own template, named as kubectl would name one of its pods.</summary>
    private static string Pod(string name, V1PodTemplateSpec template) => KubernetesYaml.Serialize(new V1Pod
    {
        ApiVersion = "v1",
        Kind = "Pod",
        Metadata = new V1ObjectMeta { Name = name, Labels = template.Metadata.Labels },
        Spec = template.Spec,
    });

    [MachineFact]
    public async Task The_image_runs_as_the_manifests_run_it_and_two_replicas_share_one_key_ring()
    {
        var applied = Manifest("stuff.yaml");
        var deployment = applied.OfType<V1Deployment>().Single();
        var settings = applied.OfType<V1ConfigMap>().Single();
        var job = Manifest("migrate.yaml").OfType<V1Job>().Single();
        var app = deployment.Spec.Template.Spec.Containers.Single();
        var version = Stuff.Hosting.AppInfo.Version;

        await using var lab = await PodmanLab.StartAsync();

        // The base: the servers' Debian as an image, then the runtime-deps stand-in on it.
        var archive = Path.Combine(ServerMachine.WorkRoot, $"podman-base-{Environment.ProcessId}.tar");
        try
        {
            var tar = await Processes.RunAsync("tar", ["-C", ServerMachine.Base!, "--exclude=./var/cache/apt/archives", "--exclude=./var/lib/apt/lists", "-cf", archive, "."]);
            Assert.True(tar.ExitCode == 0, tar.ToString());
            await lab.PodmanMustAsync("import", archive, "localhost/stuff-test-debian");
        }
        finally
        {
            File.Delete(archive);
        }
        await lab.HoldNetworkAsync("localhost/stuff-test-debian");
        var standIn = Path.Combine(Repository.Root, "tests", "Stuff.Deploy", "Container");
        await lab.PodmanMustAsync("build", "--network=none", "-f", Path.Combine(standIn, "runtime-deps.Containerfile"), "-t", "localhost/stuff-test-runtime-deps", standIn);

        // The image, by the one documented command, under the name the manifests pull.
        var name = app.Image[..app.Image.LastIndexOf(':')];
        var build = await lab.RunAsync(Path.Combine(Repository.Root, "deploy", "build-image.sh"),
            "--release", ServerMachine.PublishedRelease!, "--base", "localhost/stuff-test-runtime-deps", "--tag", name);
        Assert.True(build.ExitCode == 0, build.ToString());
        Assert.Equal($"{name}:{version}", build.Output.Trim());
        Assert.Equal(app.Image, build.Output.Trim());
        using (var image = JsonDocument.Parse(await lab.PodmanMustAsync("image", "inspect", app.Image)))
        {
            var config = image.RootElement[0].GetProperty("Config");
            Assert.Equal("1654", config.GetProperty("User").GetString());
            Assert.Equal(["CMD", "/app/stuff", "healthcheck", "--port", "8080"],
                image.RootElement[0].GetProperty("Healthcheck").GetProperty("Test").EnumerateArray().Select(e => e.GetString()));
            var labels = image.RootElement[0].GetProperty("Labels");
            Assert.Equal(version, labels.GetProperty("org.opencontainers.image.version").GetString());
            Assert.Matches("^[0-9a-f]{40}(-dirty)?$", labels.GetProperty("org.opencontainers.image.revision").GetString());
        }

        // The settings as the ConfigMap has them; DATABASE_URL from a secret, as podman keeps one for envFrom.
        var configMap = await lab.WriteAsync("settings.yaml", KubernetesYaml.Serialize(new V1ConfigMap
        {
            ApiVersion = "v1",
            Kind = "ConfigMap",
            Metadata = new V1ObjectMeta { Name = settings.Metadata.Name },
            Data = settings.Data,
        }));
        var secretName = app.EnvFrom.Single(e => e.SecretRef is not null).SecretRef.Name;
        var secret = await lab.WriteAsync("secret.json", JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["DATABASE_URL"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(lab.DatabaseUrl)),
        }));
        await lab.PodmanMustAsync("secret", "create", secretName, secret);
        // The key ring's certificate, for the Secret volume. podman 4.3 reads a volume's secret
        // as a Kubernetes Secret and writes its data undecoded, so the PEM goes in as text.
        var keysVolume = deployment.Spec.Template.Spec.Volumes.Single(v => v.Secret is not null).Secret;
        var keys = await lab.WriteAsync("keys.json", JsonSerializer.Serialize(new
        {
            apiVersion = "v1",
            kind = "Secret",
            metadata = new { name = keysVolume.SecretName },
            data = new Dictionary<string, string> { [Path.GetFileName(settings.Data["STUFF_KEYS_CERTIFICATE"])] = KeyRingCertificate.Create() },
        }));
        await lab.PodmanMustAsync("secret", "create", keysVolume.SecretName, keys);

        // The migration Job's pod first; a Job tries again after a failure, up to its backoffLimit.
        var migrate = await lab.WriteAsync("migrate.yaml", Pod("stuff-migrate", job.Spec.Template));
        var migrated = false;
        var tries = new StringBuilder();
        for (var attempt = 0; attempt <= (job.Spec.BackoffLimit ?? 6) && !migrated; attempt++)
        {
            await lab.PodmanAsync("pod", "rm", "--force", "stuff-migrate");
            await lab.PodmanMustAsync("kube", "play", "--build=false", "--network", "podman", "--configmap", configMap, migrate);
            var exit = (await lab.PodmanMustAsync("wait", "stuff-migrate-migrate")).Trim();
            var log = await lab.PodmanAsync("logs", "stuff-migrate-migrate");
            tries.AppendLine($"exit {exit}: {log.Output}{log.Error}");
            migrated = exit == "0";
        }
        Assert.True(migrated, tries.ToString());
        Assert.Contains("Applying", tries.ToString());

        // Two replicas of the Deployment's pod, each on its own address, forwarded as a Service would.
        // One difference: podman 4.3 publishes every containerPort on its host, which Kubernetes
        // never does (the list is informational there), so two replicas would fight over 8080.
        // The replicas' copies leave the list out; the app listens where its --urls says.
        var template = KubernetesYaml.Deserialize<V1PodTemplateSpec>(KubernetesYaml.Serialize(deployment.Spec.Template));
        template.Spec.Containers.Single().Ports = null;
        var pod = await lab.WriteAsync("pods.yaml", Pod("stuff-a", template) + "\n---\n" + Pod("stuff-b", template));
        await lab.PodmanMustAsync("kube", "play", "--build=false", "--network", "podman", "--configmap", configMap, pod);
        var ports = new Dictionary<string, int> { ["stuff-a"] = 18081, ["stuff-b"] = 18082 };
        foreach (var (replica, port) in ports)
        {
            await lab.ForwardAsync(port, await lab.PodAddressAsync(replica), app.Ports.Single().ContainerPort);
            using var container = JsonDocument.Parse(await lab.PodmanMustAsync("inspect", $"{replica}-{app.Name}"));
            var it = container.RootElement[0];
            Assert.True(it.GetProperty("HostConfig").GetProperty("ReadonlyRootfs").GetBoolean(), $"{replica}: read-only root");
            Assert.Equal("1654:1654", it.GetProperty("Config").GetProperty("User").GetString());
            Assert.True(it.GetProperty("EffectiveCaps").ValueKind == JsonValueKind.Null || it.GetProperty("EffectiveCaps").GetArrayLength() == 0, $"{replica}: no capabilities");
            Assert.Contains("no-new-privileges", it.GetProperty("HostConfig").GetProperty("SecurityOpt").GetRawText());
        }

        using var client = PodmanLab.Client();
        var domain = settings.Data["STUFF_DOMAIN"];
        string Url(string replica, string path) => $"http://{domain}:{ports[replica]}{path}";
        HttpRequestMessage Get(string replica, string path, string? cookies = null)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, Url(replica, path));
            // The Ingress in front says the visitor came over HTTPS (STUFF_TRUSTED_PROXIES believes the pod network).
            request.Headers.Add("X-Forwarded-Proto", "https");
            if (cookies is not null) request.Headers.Add("Cookie", cookies);
            return request;
        }

        // Each replica answers its probes (the paths the manifest asks) and serves the list.
        foreach (var replica in ports.Keys)
        {
            foreach (var probe in new[] { app.StartupProbe, app.ReadinessProbe, app.LivenessProbe })
            {
                await Eventually.HoldsAsync(async () =>
                {
                    try
                    {
                        using var answer = await client.SendAsync(Get(replica, probe.HttpGet.Path));
                        return answer.StatusCode == HttpStatusCode.OK;
                    }
                    catch (HttpRequestException)
                    {
                        return false;
                    }
                }, TimeSpan.FromSeconds(60), $"{replica} answering {probe.HttpGet.Path}");
            }
            using var list = await client.SendAsync(Get(replica, settings.Data["STUFF_BASE_PATH"] + "/"));
            Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        }
        // The command the image's HEALTHCHECK runs (checked above) passes in a running replica.
        var health = await lab.PodmanAsync("exec", $"stuff-a-{app.Name}", "/app/stuff", "healthcheck", "--port", "8080");
        Assert.True(health.ExitCode == 0, health.ToString());

        // One key ring in the database: a login form from one replica is accepted by the other,
        // and the login cookie the second issues is good on the first.
        var env = await lab.WriteAsync("superuser.env", $"STUFF_SUPERUSER_PASSWORD={Password}\n");
        var superuser = await lab.PodmanAsync("exec", "--env-file", env, $"stuff-a-{app.Name}", "/app/stuff", "createsuperuser", "--username", "admin", "--email", "admin@example.org", "--no-input");
        Assert.True(superuser.ExitCode == 0, superuser.ToString());
        var basePath = settings.Data["STUFF_BASE_PATH"];
        using var form = await client.SendAsync(Get("stuff-a", basePath + "/account/login"));
        Assert.Equal(HttpStatusCode.OK, form.StatusCode);
        var jar = Cookies(form);
        using var login = new HttpRequestMessage(HttpMethod.Post, Url("stuff-b", basePath + "/account/login"))
        {
            Content = new FormUrlEncodedContent([
                new("__RequestVerificationToken", Forms.Token(await form.Content.ReadAsStringAsync())),
                new("Form.Username", "admin"), new("Form.Password", Password)]),
        };
        login.Headers.Add("X-Forwarded-Proto", "https");
        login.Headers.Add("Cookie", jar);
        using var signedIn = await client.SendAsync(login);
        Assert.True(signedIn.StatusCode == HttpStatusCode.Redirect, $"{signedIn.StatusCode}: {await signedIn.Content.ReadAsStringAsync()}");
        using var back = await client.SendAsync(Get("stuff-a", basePath + "/", Cookies(signedIn, jar)));
        Assert.Contains("Signed in as", await back.Content.ReadAsStringAsync());

        // The shared key ring is in the database encrypted with the certificate, never as plain key material.
        var ring = (await lab.SqlAsync("SELECT \"Xml\" FROM data_protection_keys")).Trim();
        Assert.NotEmpty(ring);
        Assert.Contains("<encryptedSecret", ring);
        Assert.DoesNotContain("unencrypted form", ring);
    }

    /// <summary>The cookies a response set, added to those sent before, as one Cookie header.</summary>
    private static string Cookies(HttpResponseMessage response, string? before = null)
    {
        var jar = (before ?? "").Split("; ", StringSplitOptions.RemoveEmptyEntries).Select(c => c.Split('=', 2)).ToDictionary(c => c[0], c => c[1]);
        if (response.Headers.TryGetValues("Set-Cookie", out var set))
        {
            foreach (var cookie in set.Select(c => c.Split(';')[0].Split('=', 2))) jar[cookie[0]] = cookie[1];
        }
        return string.Join("; ", jar.Select(c => $"{c.Key}={c.Value}"));
    }
}
