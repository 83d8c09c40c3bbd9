namespace Stuff.Server;

public static class RealPath
{
    /// <summary>The path with every symlink on the way resolved, links to links included (like realpath).</summary>
    public static string Of(string path) => Of(path, 0);

    private static string Of(string path, int depth)
    {
        var parts = Path.GetFullPath(path).Split('/', StringSplitOptions.RemoveEmptyEntries);
        var current = "/";
        for (var i = 0; i < parts.Length; i++)
        {
            var next = Path.Combine(current, parts[i]);
            // 40 links deep is where the kernel gives up too (ELOOP).
            if (new FileInfo(next).LinkTarget is { } target && depth < 40)
                return Of(Path.Combine(Path.GetFullPath(target, current), string.Join('/', parts[(i + 1)..])), depth + 1);
            current = next;
        }
        return current;
    }
}
