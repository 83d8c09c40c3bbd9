using k8s.Models;

namespace Stuff.Tests.Deploy;

/// <summary>
/// The Pod Security Standards' "restricted" profile (which includes "baseline"), as Kubernetes
/// documents it for its current policy version, over a pod spec: what Pod Security admission in
/// a namespace labelled enforce=restricted would refuse. One line per rule a container (or the
/// pod) breaks.
/// </summary>
public static class PodSecurity
{
    private static readonly HashSet<string> AllowedVolumes = ["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"];

    private static readonly HashSet<string> SafeSysctls =
    [
        "kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start", "net.ipv4.tcp_syncookies",
        "net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports", "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout",
        "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes",
    ];

    private static readonly HashSet<string> SeLinuxTypes = ["container_t", "container_init_t", "container_kvm_t", "container_engine_t"];

    public static List<string> Restricted(V1PodSpec pod)
    {
        var problems = new List<string>();
        var podContext = pod.SecurityContext ?? new V1PodSecurityContext();
        var containers = (pod.InitContainers ?? []).Concat(pod.Containers ?? []).ToList();

        // Baseline: nothing of the host's.
        if (pod.HostNetwork == true || pod.HostPID == true || pod.HostIPC == true) problems.Add("pod: shares a host namespace (hostNetwork, hostPID or hostIPC)");
        if (podContext.WindowsOptions?.HostProcess == true) problems.Add("pod: is a Windows host process");
        foreach (var volume in pod.Volumes ?? [])
        {
            var types = typeof(V1Volume).GetProperties()
                .Where(p => p.Name is not nameof(V1Volume.Name) && p.GetValue(volume) is not null)
                .Select(p => char.ToLowerInvariant(p.Name[0]) + p.Name[1..]).ToList();
            foreach (var type in types.Where(t => !AllowedVolumes.Contains(t))) problems.Add($"volume {volume.Name}: {type} volumes are not allowed");
        }
        foreach (var sysctl in podContext.Sysctls ?? [])
            if (!SafeSysctls.Contains(sysctl.Name)) problems.Add($"pod: sysctl {sysctl.Name} is not a safe one");
        if (podContext.RunAsUser == 0) problems.Add("pod: runAsUser 0 is root");
        if (podContext.SeccompProfile?.Type is "Unconfined") problems.Add("pod: seccomp Unconfined");
        if (podContext.AppArmorProfile?.Type is "Unconfined") problems.Add("pod: AppArmor Unconfined");
        if (BadSeLinux(podContext.SeLinuxOptions) is { } seLinux) problems.Add($"pod: {seLinux}");

        foreach (var container in containers)
        {
            var context = container.SecurityContext ?? new V1SecurityContext();
            var name = $"container {container.Name}";
            if (context.Privileged == true) problems.Add($"{name}: privileged");
            if (context.WindowsOptions?.HostProcess == true) problems.Add($"{name}: is a Windows host process");
            if ((container.Ports ?? []).Any(p => p.HostPort is > 0)) problems.Add($"{name}: uses a host port");
            if (context.ProcMount is { } proc && proc != "Default") problems.Add($"{name}: procMount {proc}");
            if (context.AppArmorProfile?.Type is "Unconfined") problems.Add($"{name}: AppArmor Unconfined");
            if (BadSeLinux(context.SeLinuxOptions) is { } containerSeLinux) problems.Add($"{name}: {containerSeLinux}");

            // Restricted.
            if (context.AllowPrivilegeEscalation != false) problems.Add($"{name}: allowPrivilegeEscalation must be false");
            if (context.RunAsNonRoot != true && podContext.RunAsNonRoot != true) problems.Add($"{name}: runAsNonRoot must be true (on the pod or the container)");
            if (context.RunAsUser == 0) problems.Add($"{name}: runAsUser 0 is root");
            var seccomp = context.SeccompProfile?.Type ?? podContext.SeccompProfile?.Type;
            if (seccomp is not ("RuntimeDefault" or "Localhost")) problems.Add($"{name}: seccomp must be RuntimeDefault or Localhost (on the pod or the container), not {seccomp ?? "unset"}");
            var capabilities = context.Capabilities;
            if (capabilities?.Drop?.Contains("ALL") != true) problems.Add($"{name}: capabilities must drop ALL");
            foreach (var added in capabilities?.Add ?? [])
                if (added != "NET_BIND_SERVICE") problems.Add($"{name}: adds capability {added}");
        }
        return problems;
    }

    private static string? BadSeLinux(V1SELinuxOptions? options) =>
        options is null ? null
        : options.User is not null || options.Role is not null ? "SELinux user and role must not be set"
        : options.Type is { } type && !SeLinuxTypes.Contains(type) ? $"SELinux type {type}"
        : null;
}
