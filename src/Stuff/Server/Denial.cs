namespace Stuff.Server;

/// <summary>One AVC record: who (comm, source type) was denied what (permission, class) on which object (path or port, target type).</summary>
public sealed record Denial(string Permission, string Command, string SourceType, string TargetType, string Class, string? Path, int? Port)
{
    public static Denial Parse(string line)
    {
        var open = line.IndexOf('{', StringComparison.Ordinal);
        var close = line.IndexOf('}', StringComparison.Ordinal);
        var permission = open >= 0 && close > open ? line[(open + 1)..close].Trim() : "";
        string? Field(string key)
        {
            var at = line.IndexOf(" " + key + "=", StringComparison.Ordinal);
            if (at < 0) return null;
            var value = line[(at + key.Length + 2)..];
            var end = value.StartsWith('"') ? value.IndexOf('"', 1) + 1 : value.IndexOf(' ');
            return (end <= 0 ? value : value[..end]).Trim('"');
        }
        return new Denial(permission, Field("comm") ?? "", SelinuxFacts.LabelType(Field("scontext") ?? "") ?? "", SelinuxFacts.LabelType(Field("tcontext") ?? "") ?? "",
            Field("tclass") ?? "", Field("path") ?? Field("name"), int.TryParse(Field("dest"), out var port) ? port : null);
    }

    public override string ToString() =>
        $"{Command} ({SourceType}) denied {{ {Permission} }} on {(Port is { } p ? $"port {p}" : Path ?? Class)} ({TargetType})";
}
